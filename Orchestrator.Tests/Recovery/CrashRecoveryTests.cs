using System.Text.Json;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Recovery;

/// <summary>
/// kill -9 of a real node process and a restart on the same database (SQLite file and PostgreSQL):
/// definitions and history survive, runs in flight are resumed or recorded interrupted, and every
/// scheduled time of the downtime is accounted for exactly once (run or skip with its reason).
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private const string Config = """
        akka.jobs.engine.misfire-threshold = 1s
        akka.jobs.definitions {
          tick { schedule = "@every 2s", handler = noop }
          slow {
            schedule = manual, handler = shell, timeout = 5m
            parameters { command = "/bin/sh", args = ["-c", "sleep 4; echo slept on attempt $AKKA_JOBS_ATTEMPT"] }
          }
          fragile {
            schedule = manual, handler = shell, on-interrupt = fail
            parameters { command = "/bin/sleep", args = ["60"] }
          }
        }
        """;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Killed_node_restarts_with_definitions_history_and_runs_in_flight_handled(string database)
    {
        var dir = Directory.CreateTempSubdirectory("akka-jobs-crash-").FullName;
        var config = Path.Combine(dir, "crash.hocon");
        await File.WriteAllTextAsync(config, Config);
        var db = database == "sqlite" ? Path.Combine(dir, "jobs.db") : TestDatabases.NewPostgresDatabase();
        var http = NodeProcess.FreePort();
        var port = NodeProcess.FreePort();

        string slowRun, fragileRun;
        await using (var first = NodeProcess.Start(dir, config, db, http, port))
        {
            await first.WaitReadyAsync(Patience);
            slowRun = (await PostAsync(first, "/api/jobs/slow/trigger")).GetProperty("runId").GetString()!;
            fragileRun = (await PostAsync(first, "/api/jobs/fragile/trigger")).GetProperty("runId").GetString()!;
            await Until(first, async () => await Status(first, "fragile", fragileRun) == "running"
                && (await Runs(first, "tick")).Count(r => r.GetProperty("status").GetString() == "succeeded") >= 2);
            first.KillHard();
            output.WriteLine(first.Output);
        }

        // Downtime on purpose: the node stays dead across two 2-second fire times, so they come back as a backlog.
        await Task.Delay(TimeSpan.FromSeconds(5));

        await using var second = NodeProcess.Start(dir, config, db, http, port);
        await second.WaitReadyAsync(Patience);
        try
        {
            var jobs = await second.GetJsonAsync("/api/jobs");
            Assert.Equal(["fragile", "slow", "tick"], jobs.EnumerateArray().Select(j => j.GetProperty("definition").GetProperty("id").GetString()));

            await Until(second, async () => await Status(second, "slow", slowRun) == "succeeded");
            var slow = (await Runs(second, "slow")).Single(r => r.GetProperty("runId").GetString() == slowRun);
            Assert.Equal(2, slow.GetProperty("attempts").GetInt32()); // attempt 1 died with the node, attempt 2 finished

            await Until(second, async () => await Status(second, "fragile", fragileRun) == "interrupted");

            // The tick job runs again, and its history has each 2-second time exactly once.
            await Until(second, async () => (await Runs(second, "tick")).Any(r => r.GetProperty("trigger").GetString() == "catch-up"));
            var ticks = await Runs(second, "tick");
            var times = ticks.Select(r => r.GetProperty("scheduledUtc").GetDateTimeOffset()).OrderBy(t => t).ToList();
            Assert.Equal(times.Count, times.Distinct().Count());
            var expected = (int)((times[^1] - times[0]).TotalSeconds / 2) + 1;
            var counted = ticks.Sum(r => r.GetProperty("status").GetString() == "skipped" ? r.GetProperty("skippedTimes").GetInt32() : 1);
            Assert.Equal(expected, counted);
            // Missed times are skipped as misfires; a time that comes while the run resumed after the
            // crash is still running is skipped as an overlap (the job forbids overlapping runs).
            Assert.All(ticks.Where(r => r.GetProperty("status").GetString() == "skipped"),
                r => Assert.Matches("^(misfire|overlap)", r.GetProperty("reason").GetString()));
        }
        finally
        {
            output.WriteLine(second.Output);
        }
    }

    private static async Task<JsonElement> PostAsync(NodeProcess node, string path)
    {
        using var response = await node.Http.PostAsync(path, null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<List<JsonElement>> Runs(NodeProcess node, string job) =>
        (await node.GetJsonAsync($"/api/jobs/{job}/runs?limit=500")).EnumerateArray().ToList();

    private static async Task<string?> Status(NodeProcess node, string job, string runId) =>
        (await Runs(node, job)).FirstOrDefault(r => r.GetProperty("runId").GetString() == runId) is { ValueKind: JsonValueKind.Object } run
            ? run.GetProperty("status").GetString()
            : null;

    private static async Task Until(NodeProcess node, Func<Task<bool>> condition)
    {
        var until = TimeProvider.System.GetUtcNow() + Patience;
        while (!await condition())
        {
            if (TimeProvider.System.GetUtcNow() > until) throw new TimeoutException($"condition not met within {Patience}:\n{node.Output}");
            await Task.Delay(200);
        }
    }
}
