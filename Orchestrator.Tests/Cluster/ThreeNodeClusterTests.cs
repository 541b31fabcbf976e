using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Cluster;

/// <summary>
/// Three nodes in one process on loopback sharing one PostgreSQL database: the scheduler singleton
/// moves on a graceful leave and on a crash, a stray tick from another node creates no second run,
/// and supervisors recovered on other nodes keep their history.
/// </summary>
public sealed class ThreeNodeClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly List<TestNode> _nodes = [];

    private static readonly JobDefinition Beat = new() { Id = "beat", Schedule = "@every 1s", Handler = "noop" };

    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = TestDatabases.NewPostgresDatabase();
        await StartClusterAsync();
        await UntilAsync(async () => (await RunsAsync(_nodes[0])).Count(r => r.Status == RunStatus.Succeeded) >= 3, "first runs");
    }

    private async Task StartClusterAsync()
    {
        var db = _db;
        var ports = Enumerable.Range(0, 3).Select(_ => NodeProcess.FreePort()).ToList();
        var seeds = ports.Select(p => $"akka.tcp://akka-jobs@127.0.0.1:{p}").ToList();
        foreach (var port in ports)
        {
            var started = TimeProvider.System.GetUtcNow();
            _nodes.Add(await TestNode.StartAsync(db, definitions: [Beat], port: port, seeds: seeds));
            output.WriteLine($"node on port {port} ready after {(TimeProvider.System.GetUtcNow() - started).TotalSeconds:0.0}s");
        }
        await UntilAsync(async () => (await ClusterAsync(_nodes[0])).GetProperty("members").EnumerateArray()
            .Count(m => m.GetProperty("status").GetString() == "up") == 3, "3 members up");
    }

    [Fact]
    public async Task Whole_cluster_restart_keeps_definitions_and_history_and_goes_on_scheduling()
    {
        var paused = new JobDefinition { Id = "parked", Schedule = "@every 1h", Handler = "noop" };
        using (var put = await _nodes[1].Http.PutAsJsonAsync("/api/jobs/parked", new { schedule = paused.Schedule, handler = "noop" }))
            Assert.True(put.IsSuccessStatusCode);
        using (var pause = await _nodes[2].Http.PostAsync("/api/jobs/parked/pause", null)) Assert.True(pause.IsSuccessStatusCode);
        var before = await RunsAsync(_nodes[0]);

        foreach (var node in _nodes) await node.DisposeAsync();
        _nodes.Clear();
        var restartedAt = TimeProvider.System.GetUtcNow();
        await StartClusterAsync();

        var job = await _nodes[2].Http.GetFromJsonAsync<JobView>("/api/jobs/parked", Orchestrator.Api.ApiJson.Options);
        Assert.True(job!.Paused);
        await UntilAsync(async () => (await RunsAsync(_nodes[1])).Any(r => r.Status == RunStatus.Succeeded && r.ScheduledUtc > restartedAt), "runs after the restart");
        var after = await RunsAsync(_nodes[1]);
        Assert.All(before.Where(r => r.Status is RunStatus.Succeeded or RunStatus.Skipped),
            r => Assert.Contains(after, a => a.RunId == r.RunId && a.Status == r.Status));
        AssertEachTimeOnce(after);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }

    [Fact]
    public async Task Scheduler_moves_on_graceful_leave_and_history_survives_on_the_other_nodes()
    {
        var host = await SchedulerHostAsync();
        var hostAddress = host.Address;
        var before = await RunsAsync(host);
        var leaveAt = TimeProvider.System.GetUtcNow();
        output.WriteLine($"scheduler on {hostAddress}; leaving gracefully");

        _nodes.Remove(host);
        await host.DisposeAsync();

        var survivor = _nodes[0];
        await UntilAsync(async () => (await ClusterAsync(survivor)).GetProperty("schedulerNode").GetString() is { } s && s != hostAddress, "scheduler moved");
        await UntilAsync(async () => (await RunsAsync(survivor)).Any(r => r.Status == RunStatus.Succeeded && r.ScheduledUtc > leaveAt.AddSeconds(2)), "runs after the leave");

        var after = await RunsAsync(survivor);
        AssertEachTimeOnce(after);
        // Nothing decided before the leave is lost, wherever the supervisor now lives.
        Assert.All(before.Where(r => r.Status is RunStatus.Succeeded or RunStatus.Skipped),
            r => Assert.Contains(after, a => a.RunId == r.RunId && a.Status == r.Status));
    }

    [Fact]
    public async Task Scheduler_moves_after_its_node_crashes_and_no_time_is_doubled_or_lost()
    {
        var host = await SchedulerHostAsync();
        var hostAddress = host.Address;
        var crashAt = TimeProvider.System.GetUtcNow();
        output.WriteLine($"scheduler on {hostAddress}; crashing it");

        _nodes.Remove(host);
        await host.CrashAsync();

        var survivor = _nodes[0];
        await UntilAsync(async () => (await ClusterAsync(survivor)).GetProperty("schedulerNode").GetString() is { } s && s != hostAddress, "scheduler moved");
        await UntilAsync(async () => (await RunsAsync(survivor)).Any(r => r.Status == RunStatus.Succeeded && r.ScheduledUtc > crashAt.AddSeconds(3)), "runs after the crash");
        var movedAt = TimeProvider.System.GetUtcNow();
        output.WriteLine($"scheduler moved to another node {(movedAt - crashAt).TotalSeconds:0.0}s after the crash");

        var runs = await RunsAsync(survivor);
        AssertEachTimeOnce(runs);
        var ran = runs.Where(r => r.Status != RunStatus.Skipped).ToList();
        Assert.Equal(ran.Count, ran.Select(r => r.ScheduledUtc).Distinct().Count());
    }

    [Fact]
    public async Task Stray_tick_from_another_node_for_a_decided_time_creates_no_second_run()
    {
        var decided = (await RunsAsync(_nodes[0])).First(r => r.Status == RunStatus.Succeeded);
        // Act as a second scheduler instance on a node that does not host the singleton.
        var host = await SchedulerHostAsync();
        var other = _nodes.First(n => n != host);
        var region = other.Services.GetRequiredService<IRequiredActor<JobRegion>>().ActorRef;

        var ack = await region.Ask<TickAck>(new Tick("beat", decided.ScheduledUtc, TriggerKind.Scheduled, Beat, decided.ScheduledUtc.AddSeconds(-1)), Patience);

        Assert.True(ack.Duplicate);
        var runs = await RunsAsync(other);
        Assert.Single(runs, r => r.ScheduledUtc == decided.ScheduledUtc);
    }

    private async Task<TestNode> SchedulerHostAsync()
    {
        string? address = null;
        await UntilAsync(async () => (address = (await ClusterAsync(_nodes[0])).GetProperty("schedulerNode").GetString()) is not null, "scheduler node known");
        return _nodes.Single(n => n.Address == address);
    }

    private static void AssertEachTimeOnce(IReadOnlyList<RunView> runs) => Eventually.AssertEachTimeOnce(runs, TimeSpan.FromSeconds(1));

    private static async Task<JsonElement> ClusterAsync(TestNode node) => await node.Http.GetFromJsonAsync<JsonElement>("/api/cluster");

    private static Task<IReadOnlyList<RunView>> RunsAsync(TestNode node) => node.Http.RunsAsync("beat");

    private Task UntilAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, what, Patience, output);
}
