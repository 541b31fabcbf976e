using Akka.Actor;
using Akka.Jobs.Actors.Workers;
using Akka.Jobs.Domain.Protocol;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>
/// Workers share the node's slots: an attempt beyond them waits in line with its item kept alive, and whatever ends
/// it (its handler, a cancel, the deadline, its worker stopping) gives a taken slot back once and a waiting one none.
/// </summary>
public sealed class WorkerSlotTests(ITestOutputHelper output) : PipelineSpec(output)
{
    private readonly WorkerSlots _slots = new(workerSlots: 1, shellSlots: 1);

    private static ExecuteWork Hanging(string runId, TimeSpan? deadlineIn = null) =>
        new("hang", runId, "main", 1, Start, Start + (deadlineIn ?? TimeSpan.FromHours(1)), Job("hang", "manual", new { hang = "true" }));

    private (TestProbe Supervisor, IActorRef Worker) StartWorker(ExecuteWork work)
    {
        var supervisor = CreateTestProbe();
        var worker = Sys.ActorOf(EntityWorkerActor.Props(supervisor.Ref, Handlers, Clock, "node-a", null, Settings.HeartbeatInterval, slots: _slots));
        worker.Tell(work);
        supervisor.ExpectMsg<WorkStarted>(Patience);
        return (supervisor, worker);
    }

    /// <summary>One attempt holding the only slot, and a second one waiting for it.</summary>
    private async Task<(IActorRef FirstWorker, TestProbe Second, IActorRef SecondWorker)> StartRunningAndQueuedAsync(TimeSpan? secondDeadlineIn = null)
    {
        var (_, firstWorker) = StartWorker(Hanging("hang@1"));
        await AwaitCallsAsync("hang", 1);
        var (second, secondWorker) = StartWorker(Hanging("hang@2", secondDeadlineIn));
        await AwaitSlotsAsync(inUse: 1, waiting: 1);
        return (firstWorker, second, secondWorker);
    }

    private Task AwaitSlotsAsync(int inUse, int waiting) =>
        AwaitConditionAsync(() => Task.FromResult(_slots.All.InUse == inUse && _slots.All.Waiting == waiting), Patience);

    [Fact]
    public async Task A_queued_attempt_keeps_reporting_heartbeats_and_starts_when_the_slot_frees()
    {
        var (firstWorker, second, _) = await StartRunningAndQueuedAsync();

        Advance(Settings.HeartbeatInterval);
        Assert.Equal("hang@2", second.ExpectMsg<WorkHeartbeat>(Patience).RunId);
        Assert.Single(Handled.For("hang"));

        firstWorker.Tell(new CancelWork("hang", "hang@1", "main", "replaced"));
        await AwaitCallsAsync("hang", 2);
        Assert.Equal("hang@2", Handled.For("hang")[1].Context.RunId);
        Assert.Equal(1, _slots.All.Peak);
    }

    [Fact]
    public async Task Cancelling_a_queued_attempt_reports_it_cancelled_and_takes_no_slot()
    {
        var (firstWorker, second, secondWorker) = await StartRunningAndQueuedAsync();

        secondWorker.Tell(new CancelAllWork("node shutting down"));

        second.ExpectMsg<WorkCancelled>(Patience);
        await AwaitSlotsAsync(inUse: 1, waiting: 0);
        firstWorker.Tell(new CancelAllWork("node shutting down"));
        await AwaitSlotsAsync(inUse: 0, waiting: 0);
        Assert.Single(Handled.For("hang"));
    }

    [Fact]
    public async Task The_runs_deadline_ends_a_queued_attempt_as_timed_out()
    {
        var (_, second, _) = await StartRunningAndQueuedAsync(secondDeadlineIn: TimeSpan.FromSeconds(3));

        Advance(TimeSpan.FromSeconds(4));

        Assert.Equal("hang@2", second.FishForMessage<WorkTimedOut>(_ => true, Patience).RunId);
        await AwaitSlotsAsync(inUse: 1, waiting: 0);
    }

    [Fact]
    public async Task Stopping_a_worker_gives_its_attempts_slot_back()
    {
        var (_, worker) = StartWorker(Hanging("hang@1"));
        await AwaitCallsAsync("hang", 1);
        await AwaitSlotsAsync(inUse: 1, waiting: 0);

        Sys.Stop(worker);

        await AwaitSlotsAsync(inUse: 0, waiting: 0);
        Assert.True(Handled.For("hang")[0].Cancelled);
    }
}
