using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Jobs.Benchmarks;
using Microsoft.AspNetCore.Builder;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string? Arg(string name) { var i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
List<string> Args(string name) => args.Select((a, i) => (a, i)).Where(x => x.a == name && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToList();

if (args.Length > 0 && args[0] == "node")
{
    // A node process for the fail-over scenario (S5), killed with SIGKILL by the parent.
    var app = AkkaJobsSut.BuildNode(Arg("--db")!, int.Parse(Arg("--port")!), Arg("--http")!, Args("--seed"), null, quietLogs: false);
    await app.RunAsync();
    return 0;
}

var pgConn = Arg("--pg") ?? Environment.GetEnvironmentVariable("BENCH_PG") ?? throw new ArgumentException("--pg <admin connection string> is required");
var quick = args.Contains("--quick");
var outFile = Arg("--out") ?? Path.Combine("results", $"{Recorder.Now:yyyy-MM-dd_HHmmss}.json");
var scenarios = (Arg("--scenarios") ?? "S1,S2,S3,S4,S5,S6").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
var systems = (Arg("--systems") ?? "akka-jobs,quartz,quartz-tuned,hangfire,hangfire-tuned").Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
var cfg = new BenchConfig
{
    S1Jobs = int.Parse(Arg("--s1-jobs") ?? "10000"),
    S2Jobs = int.Parse(Arg("--s2-jobs") ?? "1000"),
    S2Seconds = int.Parse(Arg("--s2-seconds") ?? (quick ? "20" : "120")),
    S3Triggers = int.Parse(Arg("--s3-triggers") ?? (quick ? "50" : "200")),
    S4Seconds = int.Parse(Arg("--s4-seconds") ?? (quick ? "15" : "60")),
    S6Jobs = int.Parse(Arg("--s6-jobs") ?? (quick ? "10000" : "100000")),
    S6Items = int.Parse(Arg("--s6-items") ?? (quick ? "10000" : "100000")),
    S6MaxParallel = int.Parse(Arg("--s6-max-parallel") ?? "100"),
    Quick = quick,
};

var JsonOpts = new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
var pg = new Pg(pgConn);
await pg.InitAsync();
var bench = new Bench(pg, cfg);
var results = new List<Result>();
var t0 = Stopwatch.StartNew();

async Task RunOne(string scenario, string system, Func<Task<Result>> run)
{
    if (!scenarios.Contains(scenario)) return;
    Console.WriteLine($"[bench] {scenario} {system} … ({t0.Elapsed:mm\\:ss} elapsed)");
    Result r;
    try { r = await run(); }
    catch (Exception ex)
    {
        Console.WriteLine($"[bench] {scenario} {system} FAILED: {ex}");
        r = new Result(scenario, system) { Error = ex.GetType().Name + ": " + ex.Message };
    }
    Console.WriteLine($"[bench] {scenario} {system}: {string.Join(", ", r.Metrics.Select(m => $"{m.Key}={Stats.F(m.Value, 2)}"))} {string.Join("; ", r.Notes)}");
    results.Add(r);
    await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(new { config = cfg, results }, JsonOpts));
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outFile))!);
foreach (var s in systems) await RunOne("S1", s, () => bench.S1(s));
foreach (var s in systems) await RunOne("S2", s, () => bench.S2(s));
foreach (var s in systems) await RunOne("S3", s, () => bench.S3(s));
foreach (var s in systems) await RunOne("S4", s, () => bench.S4(s));
if (systems.Contains("akka-jobs")) await RunOne("S5", "akka-jobs", bench.S5);
if (systems.Contains("akka-jobs")) await RunOne("S6", "akka-jobs", bench.S6);

Console.WriteLine();
Console.WriteLine(Report.Table(results, cfg));
await File.WriteAllTextAsync(outFile, JsonSerializer.Serialize(new { config = cfg, totalSeconds = t0.Elapsed.TotalSeconds, results }, JsonOpts));
await File.WriteAllTextAsync(Path.ChangeExtension(outFile, ".md"), Report.Table(results, cfg));
Console.WriteLine($"[bench] raw results: {outFile} ({t0.Elapsed:mm\\:ss})");
return 0;
