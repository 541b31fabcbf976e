using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Akka.Jobs.Benchmarks;

public sealed record BenchConfig
{
    public int S1Jobs { get; init; }
    public int S2Jobs { get; init; }
    public int S2Seconds { get; init; }
    public int S3Triggers { get; init; }
    public int S4Seconds { get; init; }
    public int S6Jobs { get; init; }
    public int S6Items { get; init; }
    public int S6MaxParallel { get; init; }
    public bool Quick { get; init; }
}

public sealed class Result(string scenario, string system)
{
    public string Scenario { get; } = scenario;
    public string System { get; } = system;
    public Dictionary<string, double> Metrics { get; } = [];
    public List<string> Notes { get; } = [];
    public List<string> TopStatements { get; } = [];
    public string? Error { get; set; }
}

public sealed class Bench(Pg pg, BenchConfig cfg)
{
    private static DateTimeOffset Now => Recorder.Now;
    private static DateTimeOffset CeilSecond(DateTimeOffset t) => new(t.UtcTicks + (TimeSpan.TicksPerSecond - t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static async Task SleepUntil(DateTimeOffset t)
    {
        var d = t - Now;
        if (d > TimeSpan.Zero) await Task.Delay(d);
    }

    private async Task<(ISystemUnderTest Sut, string Db)> Make(string scenario, string system)
    {
        var db = $"{scenario}_{system.Replace('-', '_')}".ToLowerInvariant();
        await pg.CreateDatabaseAsync(db);
        var cs = pg.For(db);
        ISystemUnderTest sut = system switch
        {
            "akka-jobs" => new AkkaJobsSut(cs),
            "quartz" => new QuartzSut(cs, tuned: false),
            "quartz-tuned" => new QuartzSut(cs, tuned: true),
            "hangfire" => new HangfireSut(cs, tuned: false),
            "hangfire-tuned" => new HangfireSut(cs, tuned: true),
            _ => throw new ArgumentException($"unknown system {system}"),
        };
        Recorder.Reset();
        return (sut, db);
    }

    private async Task Finish(ISystemUnderTest sut, string db, Result r)
    {
        foreach (var (calls, q) in await pg.TopStatementsAsync(db)) r.TopStatements.Add($"{calls} × {q}");
        await sut.StopAsync();
        await sut.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await pg.DropDatabaseAsync(db);
    }

    // ---------------------------------------------------------------- S1 drain
    public async Task<Result> S1(string system)
    {
        var r = new Result("S1", system);
        var (sut, db) = await Make("s1", system);
        try
        {
            await sut.StartAsync();
            // Calibrate the registration rate so that the due instant is just after the last registration.
            // A first small batch warms up (JIT, connection pool) so it does not stretch the lead.
            await sut.AddOneOffAsync(Enumerable.Range(0, 20).Select(i => $"warm-{i:00}").ToList(), CeilSecond(Now + TimeSpan.FromDays(1)));
            var cal = Enumerable.Range(0, 200).Select(i => $"cal-{i:000}").ToList();
            var sw = Stopwatch.StartNew();
            await sut.AddOneOffAsync(cal, CeilSecond(Now + TimeSpan.FromDays(1)));
            var rate = cal.Count / Math.Max(sw.Elapsed.TotalSeconds, 0.001);
            var n = cfg.S1Jobs;
            var lead = TimeSpan.FromSeconds(Math.Min(n / rate * 1.6 + 8, 120));
            var due = CeilSecond(Now + lead);
            var ids = Enumerable.Range(0, n).Select(i => $"s1-{i:00000}").ToList();
            // Everything from here to the due instant (registration, and loading state ahead of time)
            // is counted too, in the "incl. registration" figures.
            var registering = await pg.ReadAsync(db);
            sw.Restart();
            await sut.AddOneOffAsync(ids, due);
            var regSeconds = sw.Elapsed.TotalSeconds;
            r.Metrics["register_per_s"] = n / regSeconds;
            if (Now > due - TimeSpan.FromSeconds(2)) r.Notes.Add($"registration ended {(Now - due).TotalSeconds:0.0}s relative to the due instant (lead {lead.TotalSeconds:0}s was too short)");
            await SleepUntil(due - TimeSpan.FromSeconds(1));
            var before = await pg.ReadAsync(db);
            var akka = system == "akka-jobs";
            var ok = await Recorder.WaitAsync(() => (akka ? Recorder.CompletedCount : Recorder.FinishedCount) >= n, TimeSpan.FromMinutes(cfg.Quick ? 8 : 15), 20);
            var end = Now;
            await Task.Delay(2000); // let the engines finish their bookkeeping and backends flush their counters
            var after = await pg.ReadAsync(db);
            var d = after.Minus(before);
            var starts = Recorder.Starts.Where(f => f.Key.StartsWith("s1-", StringComparison.Ordinal)).ToList();
            var distinct = starts.Select(f => f.Key).Distinct().Count();
            if (!ok) r.Notes.Add($"timed out: {distinct} of {n} started");
            var lastStart = starts.Count > 0 ? starts.Max(f => f.StartUtc) : end;
            var done = akka ? (Recorder.CompletedCount >= n ? Recorder.LastCompleted : end) : lastStart;
            r.Metrics["runs"] = distinct;
            r.Metrics["duplicates"] = starts.Count - distinct;
            if (starts.Count > distinct)
            {
                var sameAttempt = starts.Count - starts.Select(f => (f.Key, f.Attempt)).Distinct().Count();
                r.Notes.Add($"{starts.Count - distinct} extra handler starts for already started runs: {sameAttempt} repeat the same attempt number, max attempt {starts.Max(f => f.Attempt)}");
            }
            r.Metrics["first_start_ms"] = starts.Count > 0 ? (starts.Min(f => f.StartUtc) - due).TotalMilliseconds : double.NaN;
            r.Metrics["last_start_s"] = (lastStart - due).TotalSeconds;
            r.Metrics["drain_s"] = (done - due).TotalSeconds;
            r.Metrics["runs_per_s"] = distinct / Math.Max((done - due).TotalSeconds, 0.001);
            r.Metrics["commits_per_run"] = (double)d.Commits / Math.Max(distinct, 1);
            var whole = after.Minus(registering);
            r.Metrics["commits_per_run_incl_registration"] = (double)whole.Commits / Math.Max(distinct, 1);
            r.Metrics["statements_per_run_incl_registration"] = pg.HasStatements ? (double)whole.Statements / Math.Max(distinct, 1) : double.NaN;
            r.Metrics["statements_per_run"] = pg.HasStatements ? (double)d.Statements / Math.Max(distinct, 1) : double.NaN;
            r.Metrics["rows_written_per_run"] = (double)(d.TupInserted + d.TupUpdated + d.TupDeleted) / Math.Max(distinct, 1);
            if (akka) r.Notes.Add("drain ends at the last RunStatusChanged(succeeded) the engine published (persisted), not the last handler start");
        }
        finally { await Finish(sut, db, r); }
        return r;
    }

    // ---------------------------------------------------------------- S2 punctuality
    public async Task<Result> S2(string system)
    {
        var r = new Result("S2", system);
        var (sut, db) = await Make("s2", system);
        try
        {
            await sut.StartAsync();
            var ids = Enumerable.Range(0, cfg.S2Jobs).Select(i => $"s2-{i:0000}").ToList();
            await sut.AddEverySecondAsync(ids, CeilSecond(Now + TimeSpan.FromSeconds(2)));
            var ws = CeilSecond(Now + TimeSpan.FromSeconds(5));
            var we = ws + TimeSpan.FromSeconds(cfg.S2Seconds);
            await SleepUntil(ws);
            using var gc = new GcWatch();
            using var allocTypes = Environment.GetEnvironmentVariable("BENCH_ALLOC_TYPES") == "1" ? new AllocationTypes() : null;
            allocTypes?.Start();
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var before = await pg.ReadAsync(db);
            await SleepUntil(we);
            var after = await pg.ReadAsync(db);
            var pauses = gc.PausesBetween(ws, we);
            var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
            if (allocTypes is not null)
                foreach (var (type, bytes) in allocTypes.Stop(40)) Console.Error.WriteLine($"[alloc] {bytes / 1024.0 / Math.Max(1, cfg.S2Jobs * cfg.S2Seconds):0.00} KB/run {type}");
            await Task.Delay(5000); // late fires of the window's last seconds
            var d = after.Minus(before);
            var all = Recorder.Starts;
            var inWindow = all.Where(f => f.Key.StartsWith("s2-", StringComparison.Ordinal) && f.ScheduledUtc is { } s && s >= ws && s < we).ToList();
            var noScheduled = all.Count(f => f.ScheduledUtc is null);
            // One entry per (job, scheduled time): its first start's lateness.
            var fires = inWindow.GroupBy(f => (f.Key, At: f.ScheduledUtc!.Value))
                .Select(g => (g.Key.At, Late: (g.Min(f => f.StartUtc) - g.Key.At).TotalMilliseconds)).ToList();
            var distinct = fires.Count;
            var expected = (long)cfg.S2Jobs * cfg.S2Seconds;
            var late = fires.Select(f => f.Late).Order().ToList();
            r.Metrics["expected"] = expected;
            r.Metrics["fired"] = distinct;
            r.Metrics["missed"] = expected - distinct;
            r.Metrics["duplicated"] = inWindow.Count - distinct;
            r.Metrics["late_p50_ms"] = Stats.Percentile(late, 50);
            r.Metrics["late_p99_ms"] = Stats.Percentile(late, 99);
            r.Metrics["late_max_ms"] = late.Count > 0 ? late[^1] : double.NaN;
            r.Metrics["late_over_20ms"] = late.Count(l => l > 20);
            r.Metrics["started_early"] = late.Count(l => l < 0); // a start before its scheduled time is a bug
            var lateBySecond = fires.Where(x => x.Late > 20).GroupBy(x => x.At).OrderByDescending(g => g.Count()).Take(5).ToList();
            var firstStart = fires.GroupBy(f => f.At).ToDictionary(g => g.Key, g => g.Min(f => f.Late));
            if (lateBySecond.Count > 0) r.Notes.Add("times with the most starts later than 20 ms: " + string.Join(", ", lateBySecond.Select(g =>
                $"{g.Key:HH:mm:ss} {g.Count()} (first start +{firstStart.GetValueOrDefault(g.Key):0.0} ms, max {g.Max(x => x.Late):0} ms; GC pause {gc.PausesBetween(g.Key - TimeSpan.FromMilliseconds(100), g.Key + TimeSpan.FromMilliseconds(100)).Sum(p => p.PauseMs):0.0} ms, longest sampler gap {gc.WorstGapMs(g.Key):0} ms)")));
            r.Metrics["gc_pauses"] = pauses.Count;
            r.Metrics["allocated_kb_per_run"] = allocated / 1024.0 / Math.Max(distinct, 1);
            r.Metrics["gc_pause_max_ms"] = pauses.Count > 0 ? pauses.Max(p => p.PauseMs) : 0;
            r.Metrics["gc_gen1_or_2"] = pauses.Count(p => p.Gen1 + p.Gen2 > 0);
            if (pauses.Count > 0) r.Notes.Add("longest GC pauses: " + string.Join(", ", pauses.OrderByDescending(p => p.PauseMs).Take(5)
                .Select(p => $"{p.From:HH:mm:ss.fff} {p.PauseMs:0.0} ms (gen {(p.Gen2 > 0 ? 2 : p.Gen1 > 0 ? 1 : 0)}, promoted {p.PromotedMb} MB, heap {p.HeapMb} MB)")));
            if (Environment.GetEnvironmentVariable("BENCH_GC_LOG") == "1")
                foreach (var p in pauses) Console.Error.WriteLine($"[gc] {p.From:HH:mm:ss.fff} {p.PauseMs:0.0} ms gen0+{p.Gen0} gen1+{p.Gen1} gen2+{p.Gen2} promoted {p.PromotedMb} MB heap {p.HeapMb} MB");
            r.Metrics["statements_per_s"] = pg.HasStatements ? d.Statements / (double)cfg.S2Seconds : double.NaN;
            r.Metrics["commits_per_s"] = d.Commits / (double)cfg.S2Seconds;
            if (noScheduled > 0) r.Notes.Add($"{noScheduled} fires carried no scheduled time");
            if (distinct == 0) r.Notes.Add($"no fire in the window [{ws:HH:mm:ss}, {we:HH:mm:ss}); {all.Count} fires in total" + (all.Count > 0 ? $", e.g. {all[0]}" : ""));
            if (system.StartsWith("hangfire", StringComparison.Ordinal))
                r.Notes.Add("hangfire job states: " + await pg.ScalarAsync("SELECT string_agg(statename || '=' || n, ', ') FROM (SELECT statename, count(*) n FROM hangfire.job GROUP BY statename) x", db));
            if (system.StartsWith("hangfire", StringComparison.Ordinal)) r.Notes.Add("scheduled time = the recurring job's 'Time' parameter (whole seconds)");
        }
        finally { await Finish(sut, db, r); }
        return r;
    }

    // ---------------------------------------------------------------- S3 trigger latency
    public async Task<Result> S3(string system)
    {
        var r = new Result("S3", system);
        var (sut, db) = await Make("s3", system);
        try
        {
            await sut.StartAsync();
            const string id = "s3-manual";
            await sut.AddManualAsync(id);
            await Task.Delay(2000);
            var lat = new List<double>();
            var ack = new List<double>();
            var budget = Stopwatch.StartNew();
            var limit = TimeSpan.FromSeconds(cfg.Quick ? 60 : 150);
            var akka = system == "akka-jobs";
            for (var i = -5; i < cfg.S3Triggers && budget.Elapsed < limit; i++)
            {
                var startsBefore = Recorder.StartCount;
                var completedBefore = Recorder.CompletedCount;
                var t0 = Now;
                await sut.TriggerAsync(id);
                var t1 = Now;
                if (!await Recorder.WaitAsync(() => Recorder.StartCount > startsBefore, TimeSpan.FromSeconds(60), 0))
                {
                    r.Notes.Add($"trigger {i} did not start within 60 s");
                    break;
                }
                var start = Recorder.Starts.Skip(startsBefore).First().StartUtc;
                if (i >= 0)
                {
                    lat.Add((start - t0).TotalMilliseconds);
                    ack.Add((t1 - t0).TotalMilliseconds);
                }
                // one trigger at a time: the previous run is recorded before the next trigger
                if (akka) await Recorder.WaitAsync(() => Recorder.CompletedCount > completedBefore, TimeSpan.FromSeconds(30), 1);
                await Task.Delay(akka ? 20 : 200);
            }
            lat.Sort();
            ack.Sort();
            r.Metrics["triggers"] = lat.Count;
            r.Metrics["p50_ms"] = Stats.Percentile(lat, 50);
            r.Metrics["p99_ms"] = Stats.Percentile(lat, 99);
            r.Metrics["max_ms"] = lat.Count > 0 ? lat[^1] : double.NaN;
            r.Metrics["ack_p50_ms"] = Stats.Percentile(ack, 50);
            if (lat.Count < cfg.S3Triggers) r.Notes.Add($"{lat.Count} of {cfg.S3Triggers} triggers measured within the {limit.TotalSeconds:0}s budget");
            if (akka) r.Notes.Add("t0 before POST /api/jobs/{id}/trigger over loopback HTTP (202 after the durable write)");
            else if (system.StartsWith("quartz", StringComparison.Ordinal)) r.Notes.Add("IScheduler.TriggerJob (stores a trigger row) in-process");
            else r.Notes.Add("BackgroundJobClient.Enqueue in-process");
        }
        finally { await Finish(sut, db, r); }
        return r;
    }

    // ---------------------------------------------------------------- S4 idle cost
    public async Task<Result> S4(string system)
    {
        var r = new Result("S4", system);
        var (sut, db) = await Make("s4", system);
        try
        {
            await sut.StartAsync();
            await sut.AddIdleAsync(Enumerable.Range(0, 100).Select(i => $"s4-{i:000}").ToList());
            await Task.Delay(TimeSpan.FromSeconds(cfg.Quick ? 5 : 10));
            await pg.ExecAsync("SELECT pg_stat_statements_reset()");
            var before = await pg.ReadAsync(db);
            var sw = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(cfg.S4Seconds));
            var after = await pg.ReadAsync(db);
            var secs = sw.Elapsed.TotalSeconds;
            var d = after.Minus(before);
            r.Metrics["statements_per_s"] = pg.HasStatements ? d.Statements / secs : double.NaN;
            r.Metrics["commits_per_s"] = d.Commits / secs;
            r.Metrics["seconds"] = secs;
            r.Notes.Add("statements include the statements of every transaction (BEGIN/COMMIT counted by pg_stat_statements)");
        }
        finally { await Finish(sut, db, r); }
        return r;
    }

    // ---------------------------------------------------------------- S5 fail-over
    public async Task<Result> S5()
    {
        var r = new Result("S5", "akka-jobs");
        const string db = "s5_akka_jobs";
        await pg.CreateDatabaseAsync(db);
        var cs = pg.For(db, 50);
        var nodes = new List<(Process P, int Port, HttpClient Http, System.Text.StringBuilder Log)>();
        var tKillText = "(no kill)";
        try
        {
            var ports = Enumerable.Range(0, 3).Select(_ => FreePort()).ToList();
            var httpPorts = Enumerable.Range(0, 3).Select(_ => FreePort()).ToList();
            var seed = $"akka.tcp://akka-jobs@127.0.0.1:{ports[0]}";
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(StartNode(cs, ports[i], httpPorts[i], seed));
                if (!await Recorder.WaitAsync(() => IsReady(nodes[i].Http).GetAwaiter().GetResult(), TimeSpan.FromMinutes(3), 250))
                    throw new TimeoutException($"node {i} not ready: {nodes[i].Log}");
            }
            await Recorder.WaitAsync(() => Members(nodes[0].Http).GetAwaiter().GetResult() == 3, TimeSpan.FromMinutes(1), 250);
            using (var put = await nodes[0].Http.PutAsJsonAsync("/api/jobs/s5-tick", new { schedule = "@every 1s", handler = "noop" }))
                put.EnsureSuccessStatusCode();
            await Task.Delay(8000);
            var cluster = await nodes[0].Http.GetFromJsonAsync<JsonElement>("/api/cluster");
            var schedulerNode = cluster.GetProperty("schedulerNode").GetString()!;
            var victim = nodes.First(n => schedulerNode.EndsWith(":" + n.Port, StringComparison.Ordinal));
            var survivor = nodes.First(n => n.Port != victim.Port);
            var lastBefore = await LastStarted(survivor.Http);
            var tKill = Now;
            victim.P.Kill(entireProcessTree: true);
            tKillText = $"{tKill.ToLocalTime():HH:mm:ss.fff} (local) on node {victim.Port}";
            r.Notes.Add($"killed the scheduler's node {schedulerNode} with SIGKILL; last run started before the kill {(lastBefore is { } lb ? (tKill - lb).TotalMilliseconds.ToString("0") + " ms earlier" : "unknown")}");
            DateTimeOffset? next = null;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(120) && next is null)
            {
                await Task.Delay(200);
                next = await FirstStartedAfter(survivor.Http, tKill);
            }
            r.Metrics["next_fire_s"] = next is { } n1 ? (n1 - tKill).TotalSeconds : double.NaN;
            await Task.Delay(3000);
            var runs = await survivor.Http.GetFromJsonAsync<JsonElement>("/api/jobs/s5-tick/runs?limit=200");
            var after = runs.EnumerateArray().Where(x => x.GetProperty("scheduledUtc").GetDateTimeOffset() > tKill).ToList();
            r.Metrics["runs_after_kill_3s"] = after.Count;
            r.Notes.Add("statuses of times after the kill: " + string.Join(", ", after.GroupBy(x => x.GetProperty("status").GetString() + "/" + x.GetProperty("trigger").GetString()).Select(g => $"{g.Key}={g.Count()}")));
        }
        finally
        {
            foreach (var n in nodes)
            {
                try { if (!n.P.HasExited) n.P.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                n.Http.Dispose();
            }
            await Task.Delay(500);
            // BENCH_NODE_LOGS=<folder> keeps each node's console log (timestamps to the ms) for a
            // fail-over timeline: unreachable, downed, removed, singleton started, scheduler started.
            if (Environment.GetEnvironmentVariable("BENCH_NODE_LOGS") is { Length: > 0 } logDir)
            {
                Directory.CreateDirectory(logDir);
                r.Notes.Add($"kill at {tKillText}; node logs in {logDir}");
                foreach (var n in nodes)
                    lock (n.Log) File.WriteAllText(Path.Combine(logDir, $"s5-node-{n.Port}.log"), n.Log.ToString());
            }
            await pg.DropDatabaseAsync(db);
        }
        return r;
    }

    private static (Process, int, HttpClient, System.Text.StringBuilder) StartNode(string db, int port, int httpPort, string seed)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "akka-jobs-bench.dll"), "node", "--db", db, "--port", port.ToString(), "--http", $"http://127.0.0.1:{httpPort}", "--seed", seed })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        var log = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return (p, port, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) }, log);
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task<bool> IsReady(HttpClient http)
    {
        try { using var r = await http.GetAsync("/readyz"); return r.IsSuccessStatusCode; }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { return false; }
    }

    private static async Task<int> Members(HttpClient http)
    {
        try
        {
            var c = await http.GetFromJsonAsync<JsonElement>("/api/cluster");
            return c.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { return 0; }
    }

    private static async Task<DateTimeOffset?> LastStarted(HttpClient http)
    {
        var runs = await http.GetFromJsonAsync<JsonElement>("/api/jobs/s5-tick/runs?limit=20");
        return runs.EnumerateArray().Select(Started).Where(s => s is not null).Max();
    }

    private static async Task<DateTimeOffset?> FirstStartedAfter(HttpClient http, DateTimeOffset t)
    {
        try
        {
            var runs = await http.GetFromJsonAsync<JsonElement>("/api/jobs/s5-tick/runs?limit=50");
            // Only times the new scheduler decided: a time prepared ahead (prepare-ahead, 500 ms) before the
            // kill starts on its own on a surviving worker and says nothing about the fail-over.
            return runs.EnumerateArray().Where(x => x.GetProperty("scheduledUtc").GetDateTimeOffset() > t + TimeSpan.FromSeconds(1))
                .Select(Started).Where(s => s > t).Min();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException) { return null; }
    }

    private static DateTimeOffset? Started(JsonElement run) =>
        run.TryGetProperty("startedUtc", out var s) && s.ValueKind == JsonValueKind.String ? s.GetDateTimeOffset() : null;

    // ---------------------------------------------------------------- S6 scale
    /// <summary>
    /// What a finished fan-out leaves in memory: worker entities still alive (each item is one) and the
    /// managed heap, a few seconds after the run, once passivations went through.
    /// </summary>
    private static async Task FanOutAftermathAsync(AkkaJobsSut sut, Result r)
    {
        await Task.Delay(3000);
        var registry = ActorRegistry.For(sut.Services.GetRequiredService<ActorSystem>());
        var stats = await registry.Get<WorkerRegion>().Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(10));
        r.Metrics["fanout_worker_entities_after"] = stats.Stats.Values.Sum();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        r.Metrics["fanout_heap_mb_after"] = GC.GetTotalMemory(forceFullCollection: true) / 1e6;
    }

    public async Task<Result> S6()
    {
        var r = new Result("S6", "akka-jobs");
        const string db = "s6_akka_jobs";
        await pg.CreateDatabaseAsync(db);
        var cs = pg.For(db);
        Recorder.Reset();
        var n = cfg.S6Jobs;
        var ids = Enumerable.Range(0, n).Select(i => $"s6-{i:000000}").ToList();
        try
        {
            var sut = new AkkaJobsSut(cs);
            await sut.StartAsync();
            await Task.Delay(2000);
            var m0 = GC.GetTotalMemory(forceFullCollection: true);
            var sw = Stopwatch.StartNew();
            var failed = 0;
            string? firstError = null;
            await Parallelism.ForEachAsync(ids, 32, async id =>
            {
                try { await sut.PutAsync(id, new { schedule = "0 0 1 1 *", handler = "bench" }); }
                catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                    firstError ??= ex.Message;
                }
            });
            r.Metrics["register_failed"] = failed;
            if (failed > 0) r.Notes.Add($"{failed} of {n} registrations failed, first: {firstError}");
            r.Metrics["register_s"] = sw.Elapsed.TotalSeconds;
            r.Metrics["register_per_s"] = n / sw.Elapsed.TotalSeconds;
            await Task.Delay(3000);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var m1 = GC.GetTotalMemory(forceFullCollection: true);
            r.Metrics["jobs"] = n;
            r.Metrics["bytes_per_job"] = (m1 - m0) / (double)n;
            r.Notes.Add("bytes per job = managed heap growth after a full compacting GC, whole in-process node (scheduler singleton, API, journal buffers)");
            await sut.StopAsync();
            NpgsqlConnection.ClearAllPools();

            var restart = Stopwatch.StartNew();
            var sut2 = new AkkaJobsSut(cs);
            await sut2.StartAsync(); // returns once /readyz says the scheduler answers
            r.Metrics["restart_ready_s"] = restart.Elapsed.TotalSeconds - 0.5; // StartAsync waits 0.5 s after ready
            using (var check = await sut2.Http.GetAsync($"/api/jobs/{ids[^1]}"))
                if (!check.IsSuccessStatusCode) r.Notes.Add($"after restart {ids[^1]} answered {(int)check.StatusCode}");
            r.Metrics["recovery_s"] = restart.Elapsed.TotalSeconds - 0.5;
            r.Notes.Add("recovery = new node (ActorSystem, cluster join, scheduler singleton recovery from snapshot + journal) until /readyz and GET of the last job answer");

            // fan-out: one manual run over S6Items entity items
            var items = Enumerable.Range(0, cfg.S6Items).Select(i => $"e{i:000000}").ToArray();
            await sut2.PutAsync("s6-fan", new { schedule = "manual", handler = "bench", entities = items, maxParallel = cfg.S6MaxParallel });
            var t0 = Now;
            using var trig = await sut2.Http.PostAsync("/api/jobs/s6-fan/trigger", null);
            var body = await trig.Content.ReadAsStringAsync();
            r.Metrics["fanout_trigger_ack_ms"] = (Now - t0).TotalMilliseconds;
            // A 503 means the API's ask timed out, not that the trigger was lost: wait for the run anyway.
            if ((int)trig.StatusCode != 202) r.Notes.Add($"fan-out trigger answered {(int)trig.StatusCode} after {(Now - t0).TotalSeconds:0.0}s: {body}");
            var ok = await Recorder.WaitAsync(() => Recorder.CompletedWithPrefix("s6-fan@") is not null, TimeSpan.FromMinutes(cfg.Quick ? 3 : 8), 50);
            var fanStarts = Recorder.Starts.Where(f => f.Key.StartsWith("s6-fan/", StringComparison.Ordinal)).ToList();
            r.Metrics["fanout_items"] = cfg.S6Items;
            r.Metrics["fanout_max_parallel"] = cfg.S6MaxParallel;
            r.Metrics["fanout_items_started"] = fanStarts.Select(f => f.Key).Distinct().Count();
            r.Metrics["fanout_s"] = ok ? (Recorder.CompletedWithPrefix("s6-fan@")!.Value - t0).TotalSeconds : double.NaN;
            if (fanStarts.Count > 0) r.Metrics["fanout_first_item_s"] = (fanStarts.Min(f => f.StartUtc) - t0).TotalSeconds;
            if (ok) await FanOutAftermathAsync(sut2, r);
            if (!ok)
            {
                r.Notes.Add($"fan-out run did not succeed within the time limit: {fanStarts.Count} item starts");
                if (fanStarts.Count > 0) r.Metrics["fanout_items_per_s_partial"] = fanStarts.Count / (fanStarts.Max(f => f.StartUtc) - t0).TotalSeconds;
            }
            await sut2.StopAsync();
        }
        catch (Exception ex)
        {
            // keep the figures measured before the failure
            r.Error = ex.GetType().Name + ": " + ex.Message;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await pg.DropDatabaseAsync(db);
        }
        return r;
    }
}
