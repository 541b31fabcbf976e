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
            Eventually.AssertEachTimeOnce(runs, TimeSpan.FromSeconds(1));
            var ordered = runs.OrderBy(r => r.ScheduledUtc).ToList();
            output.WriteLine($"{job.Id}: {ordered.Count(r => r.Status == RunStatus.Succeeded)} succeeded, " +
                string.Join(", ", ordered.Where(r => r.Status == RunStatus.Skipped).GroupBy(r => r.Reason).Select(g => $"{g.Sum(r => r.SkippedTimes)} skipped ({g.Key})")));
        }
    }

    private static Task<IReadOnlyList<RunView>> Runs(TestNode node, string job) => node.Http.RunsAsync(job);

    private Task Until(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, what, Patience, output);
}
