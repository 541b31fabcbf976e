using System.Net.Http.Json;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Contracts.Serialization;
using Akka.Jobs.Tests.Infrastructure;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Recovery;

/// <summary>
/// PostgreSQL goes away for 20 s under load (every connection cut, new ones refused) and comes back:
/// the node stays up, work resumes by itself, and no scheduled time is run twice or lost.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Node_survives_a_database_outage_and_resumes_without_losing_or_doubling_times()
    {
        var db = new NpgsqlConnectionStringBuilder(TestDatabases.NewPostgresDatabase());
        await using var proxy = new TcpProxy(db.Host!, db.Port);
        db.Host = "127.0.0.1";
        db.Port = proxy.Port;
        db.Timeout = 5;
        db.CommandTimeout = 5;
        var jobs = Enumerable.Range(1, 5).Select(i => new JobDefinition { Id = $"load-{i}", Schedule = "@every 1s", Handler = "noop" }).ToList();
        await using var node = await TestNode.StartAsync(db.ConnectionString, definitions: jobs);
        await Until(async () => (await Runs(node, "load-1")).Count(r => r.Status == RunStatus.Succeeded) >= 3, "runs before the outage");

        var cutAt = TimeProvider.System.GetUtcNow();
        proxy.Cut();
        output.WriteLine($"database cut at {cutAt:O}");
        await Task.Delay(TimeSpan.FromSeconds(20)); // the outage itself: real time is what is being tested
        proxy.Heal();
        var healedAt = TimeProvider.System.GetUtcNow();
        output.WriteLine($"database back at {healedAt:O}");

        using (var health = await node.Http.GetAsync("/healthz")) Assert.True(health.IsSuccessStatusCode, "the node went down with its database");
        foreach (var job in jobs)
            await Until(async () => (await Runs(node, job.Id)).Any(r => r.Status == RunStatus.Succeeded && r.ScheduledUtc > healedAt.AddSeconds(2)), $"{job.Id} runs again");
        output.WriteLine($"all jobs ran again {(TimeProvider.System.GetUtcNow() - healedAt).TotalSeconds:0.0}s after the database came back");

        foreach (var job in jobs)
        {
            var runs = await Runs(node, job.Id);
            var times = runs.Select(r => r.ScheduledUtc).ToList();
            Assert.Equal(times.Count, times.Distinct().Count());
            var ordered = runs.OrderBy(r => r.ScheduledUtc).ToList();
            var covered = ordered.Sum(r => r.Status == RunStatus.Skipped ? r.SkippedTimes : 1);
            Assert.Equal((int)(ordered[^1].ScheduledUtc - ordered[0].ScheduledUtc).TotalSeconds + 1, covered);
            output.WriteLine($"{job.Id}: {ordered.Count(r => r.Status == RunStatus.Succeeded)} succeeded, " +
                string.Join(", ", ordered.Where(r => r.Status == RunStatus.Skipped).GroupBy(r => r.Reason).Select(g => $"{g.Sum(r => r.SkippedTimes)} skipped ({g.Key})")));
        }
    }

    private static async Task<IReadOnlyList<RunView>> Runs(TestNode node, string job) =>
        (await node.Http.GetFromJsonAsync<List<RunView>>($"/api/jobs/{job}/runs?limit=500", JsonManifestSerializer.Options))!;

    private async Task Until(Func<Task<bool>> condition, string what)
    {
        var until = TimeProvider.System.GetUtcNow() + Patience;
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                output.WriteLine($"waiting for {what}: {ex.GetType().Name} {ex.Message}");
            }
            if (TimeProvider.System.GetUtcNow() > until) throw new TimeoutException($"{what}: not within {Patience}");
            await Task.Delay(500);
        }
    }
}
