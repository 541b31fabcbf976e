using System.Text.Json;
using Akka.Actor;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Actors.Workers;
using Akka.Jobs.Contracts.Jobs;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>
/// A worker retries only when its supervisor has recorded the failure and granted the next attempt
/// number, so a worker cut off from its supervisor never runs an attempt number twice.
/// </summary>
public sealed class WorkerRetryGrantTests(ITestOutputHelper output) : PipelineSpec(output)
{
    private ExecuteWork Work(int firstAttempt = 1) => new("grant", "grant@1", "main", firstAttempt, Start, Start.AddHours(1),
        Job("grant", "manual", new { failUntil = "3" }));

    [Fact]
    public async Task Worker_waits_for_the_grant_before_retrying_even_after_the_backoff()
    {
        var supervisor = CreateTestProbe();
        var worker = Sys.ActorOf(EntityWorkerActor.Props(supervisor.Ref, Handlers, Clock, "node-a", null, TimeSpan.FromMinutes(10)));

        worker.Tell(Work());
        supervisor.ExpectMsg<WorkStarted>(s => s.Attempt == 1, Patience);
        var failed = supervisor.ExpectMsg<WorkFailed>(Patience);
        Assert.True(failed.WillRetry);

        Advance(TimeSpan.FromMinutes(1)); // far past the 5 s backoff: nobody granted attempt 2
        supervisor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Single(Handled.For("grant"));

        worker.Tell(new RetryGranted("grant", "grant@1", "main", 2));
        supervisor.ExpectMsg<WorkStarted>(s => s.Attempt == 2, Patience);
        await AwaitCallsAsync("grant", 2);
    }

    [Fact]
    public async Task Re_dispatch_while_waiting_for_a_grant_acts_as_the_grant()
    {
        var supervisor = CreateTestProbe();
        var worker = Sys.ActorOf(EntityWorkerActor.Props(supervisor.Ref, Handlers, Clock, "node-a", null, TimeSpan.FromMinutes(10)));
        worker.Tell(Work());
        supervisor.ExpectMsg<WorkStarted>(Patience);
        supervisor.ExpectMsg<WorkFailed>(Patience);

        // A supervisor recovered elsewhere dispatches the item again with its own next number.
        worker.Tell(Work(firstAttempt: 3));
        // Virtual time may only move once the worker has armed its retry timer (else the timer is
        // scheduled after the jump and never fires): Identify is answered in mailbox order.
        await worker.Ask<ActorIdentity>(new Identify(null), Patience);
        Advance(TimeSpan.FromSeconds(10));

        supervisor.ExpectMsg<WorkStarted>(s => s.Attempt == 3, Patience);
        Assert.DoesNotContain(Handled.For("grant"), c => c.Context.Attempt == 2);
    }
}
