using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Actors.Workers;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>
/// Fan-out runs with thousands of items: every item runs exactly once per attempt it needs, and a worker
/// leaves memory once its outcome is recorded. Behaviour only; the speed is measured by benchmark S6.
/// </summary>
public sealed class FanOutScaleTests(ITestOutputHelper output) : PipelineSpec(output)
{
    // Generous: thousands of items through one in-memory journal on a shared machine; not a speed bound.
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    private static JobDefinition Wide(string id, int items, object? parameters = null) =>
        Job(id, "manual", parameters) with { Entities = Enumerable.Range(0, items).Select(i => $"e{i:00000}").ToList(), MaxParallel = 50 };

    private async Task<RunView> AwaitFinishedAsync(string jobId, string runId)
    {
        RunView? run = null;
        await AwaitConditionAsync(async () =>
        {
            run = (await RunsAsync(jobId)).SingleOrDefault(r => r.RunId == runId && r.Status != RunStatus.Running);
            return run is not null;
        }, Long, TimeSpan.FromMilliseconds(200));
        return run!;
    }

    [Fact]
    public async Task Fan_out_of_5000_items_runs_every_item_exactly_once()
    {
        var def = Wide("wide", 5_000);
        await RegisterAsync(def);
        var runId = await TriggerAsync("wide");

        var run = await AwaitFinishedAsync("wide", runId);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(5_000, run.Items);
        Assert.Equal(1, run.Attempts);
        var calls = Handled.For("wide");
        Assert.Equal(def.Entities.Order(), calls.Select(c => c.Context.ItemKey).Order());
        Assert.All(calls, c => Assert.Equal(1, c.Context.Attempt));
        Assert.All(calls, c => Assert.Empty(c.Context.Definition.Entities)); // workers get their own key, not the list
    }

    [Fact]
    public async Task Fan_out_of_1000_flaky_items_retries_each_once_under_fresh_attempt_numbers()
    {
        var def = Wide("flaky-wide", 1_000, new { failUntil = "2" });
        await RegisterAsync(def);
        var runId = await TriggerAsync("flaky-wide");

        await AdvanceUntilAsync(async () => (await RunsAsync("flaky-wide")).Single().Status != RunStatus.Running,
            TimeSpan.FromSeconds(5), TimeSpan.FromHours(1));

        var run = (await RunsAsync("flaky-wide")).Single(r => r.RunId == runId);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempts);
        var byItem = Handled.For("flaky-wide").GroupBy(c => c.Context.ItemKey).ToList();
        Assert.Equal(1_000, byItem.Count);
        Assert.All(byItem, g => Assert.Equal([1, 2], g.Select(c => c.Context.Attempt).Order()));
    }

    [Fact]
    public void Fan_out_worker_passivates_once_the_supervisor_has_recorded_its_outcome()
    {
        var supervisor = CreateTestProbe();
        var worker = ChildActorOf(EntityWorkerActor.Props(supervisor.Ref, Handlers, Clock, "node-a", null, TimeSpan.FromMinutes(10)));
        worker.Tell(new ExecuteWork("rec", "rec@1", "item-7", 1, Start, Start.AddHours(1), Job("rec", "manual")));
        supervisor.ExpectMsg<WorkStarted>(Patience);
        supervisor.ExpectMsg<WorkSucceeded>(Patience);

        // Until the outcome is durable the worker keeps it, to answer a re-dispatch without running again.
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        worker.Tell(new WorkRecorded("rec", "rec@1", "item-7"));

        ExpectMsg<Passivate>(Patience);
    }

    [Fact]
    public void Single_item_worker_stays_for_the_next_run_and_passivates_when_idle()
    {
        var supervisor = CreateTestProbe();
        var worker = ChildActorOf(EntityWorkerActor.Props(supervisor.Ref, Handlers, Clock, "node-a", null, TimeSpan.FromMinutes(10),
            idleAfter: TimeSpan.FromSeconds(2)));
        worker.Tell(new ExecuteWork("rec", "rec@1", "main", 1, Start, Start.AddHours(1), Job("rec", "manual")));
        supervisor.ExpectMsg<WorkStarted>(Patience);
        supervisor.ExpectMsg<WorkSucceeded>(Patience);
        worker.Tell(new WorkRecorded("rec", "rec@1", "main"));

        // The next run reaches the same actor, and then it leaves after the idle time.
        worker.Tell(new ExecuteWork("rec", "rec@2", "main", 1, Start, Start.AddHours(1), Job("rec", "manual")));
        Assert.Equal("rec@2", supervisor.ExpectMsg<WorkStarted>(Patience).RunId);
        supervisor.ExpectMsg<WorkSucceeded>(Patience);
        worker.Tell(new WorkRecorded("rec", "rec@2", "main"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        AwaitAssert(() =>
        {
            Advance(TimeSpan.FromSeconds(1));
            ExpectMsg<Passivate>(TimeSpan.FromMilliseconds(200));
        }, Patience);
    }
}
