using Akka.Actor;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Actors.Workers;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>
/// An attempt has one cancellation source for the run's deadline and for being stopped; what the worker
/// reports says which of the two it was.
/// </summary>
public sealed class WorkerCancellationTests(ITestOutputHelper output) : PipelineSpec(output)
{
    private ExecuteWork Hanging(string runId, TimeSpan deadlineIn) =>
        new("hang", runId, "main", 1, Start, Start + deadlineIn, Job("hang", "manual", new { hang = "true" }));

    private IActorRef NewWorker(IActorRef supervisor) =>
        Sys.ActorOf(EntityWorkerActor.Props(supervisor, Handlers, Clock, "node-a", null, TimeSpan.FromMinutes(10)));

    /// <summary>A worker running a handler that waits until it is cancelled.</summary>
    private async Task<(TestProbe Supervisor, IActorRef Worker)> StartHangingAsync(string runId, TimeSpan deadlineIn)
    {
        var supervisor = CreateTestProbe();
        var worker = NewWorker(supervisor.Ref);
        worker.Tell(Hanging(runId, deadlineIn));
        supervisor.ExpectMsg<WorkStarted>(Patience);
        await AwaitCallsAsync("hang", 1);
        return (supervisor, worker);
    }

    [Fact]
    public async Task The_runs_deadline_stops_a_hanging_attempt_and_is_reported_as_timed_out()
    {
        var (supervisor, worker) = await StartHangingAsync("hang@1", TimeSpan.FromSeconds(10));

        Advance(TimeSpan.FromSeconds(11));

        var timedOut = supervisor.ExpectMsg<WorkTimedOut>(Patience);
        Assert.Equal(("hang@1", 1), (timedOut.RunId, timedOut.Attempt));
        await AwaitConditionAsync(() => Task.FromResult(Handled.For("hang")[0].Cancelled), Patience);
    }

    [Fact]
    public async Task Cancelling_all_work_reports_cancelled_not_a_deadline()
    {
        var (supervisor, worker) = await StartHangingAsync("hang@2", TimeSpan.FromHours(1));

        worker.Tell(new CancelAllWork("node shutting down"));

        supervisor.ExpectMsg<WorkCancelled>(c => c.RunId == "hang@2", Patience);
        supervisor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.True(Handled.For("hang")[0].Cancelled);
    }

    [Fact]
    public async Task Cancelling_one_run_stops_its_attempt_without_an_outcome()
    {
        var (supervisor, worker) = await StartHangingAsync("hang@3", TimeSpan.FromHours(1));

        worker.Tell(new CancelWork("hang", "hang@3", "main", "replaced"));

        await AwaitConditionAsync(() => Task.FromResult(Handled.For("hang")[0].Cancelled), Patience);
        supervisor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_deadline_already_past_at_dispatch_is_reported_as_timed_out()
    {
        var supervisor = CreateTestProbe();
        var worker = NewWorker(supervisor.Ref);
        worker.Tell(Hanging("hang@4", TimeSpan.FromSeconds(-1)));
        supervisor.ExpectMsg<WorkStarted>(Patience);

        Assert.Equal("hang@4", supervisor.ExpectMsg<WorkTimedOut>(Patience).RunId);
    }
}
