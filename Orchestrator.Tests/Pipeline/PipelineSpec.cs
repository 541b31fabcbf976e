using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Jobs.Actors;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Actors.Sharding;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Actors.Jobs;
using Akka.Jobs.Actors.Workers;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Tests.Infrastructure;
using Akka.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>
/// The scheduler → supervisor → worker pipeline in one local ActorSystem with virtual time: Akka's
/// TestScheduler drives timers, a FakeTimeProvider drives the clock, and both only move when a
/// test advances them. Shard regions are replaced by <see cref="LocalRegion"/>s; the journal is in memory.
/// </summary>
public abstract class PipelineSpec : Akka.TestKit.Xunit2.TestKit
{
    protected static readonly DateTimeOffset Start = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static readonly Config TestConfig = ConfigurationFactory.ParseString("""
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.loglevel = INFO
        """).WithFallback(InMemoryPersistence.Config);

    private int _schedulerIncarnation;

    protected PipelineSpec(ITestOutputHelper output) : base(TestConfig, output: output)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton(Handled);
        services.AddBuiltInJobHandlers();
        services.AddJobHandler<ScriptedHandler>("scripted");
        var provider = services.BuildServiceProvider();
        Handlers = provider.GetRequiredService<JobHandlerRegistry>();
        Pipeline = new PipelineProps(provider, Settings);

        // The node's own props factory; the regions read Workers and Scheduler when an entity starts, as sharding does.
        Jobs = Sys.ActorOf(Props.Create(() => new LocalRegion(new JobMessageExtractor(10),
            id => Pipeline.JobActor(id, Workers!, Scheduler!, null))), "jobs");
        Workers = Sys.ActorOf(Props.Create(() => new LocalRegion(new WorkerMessageExtractor(10),
            _ => Pipeline.Worker(Jobs, "test-node", null))), "workers");
        Scheduler = StartScheduler();
    }

    protected FakeTimeProvider Clock { get; } = new(Start);
    protected TestScheduler Timers => (TestScheduler)Sys.Scheduler;
    protected HandlerLog Handled { get; } = new();
    /// <summary>The node's props factory over this test's services.</summary>
    protected PipelineProps Pipeline { get; }
    protected JobHandlerRegistry Handlers { get; }
    protected IActorRef Jobs { get; }
    protected IActorRef Workers { get; }
    protected IActorRef Scheduler { get; private set; }

    protected virtual JobsSettings Settings { get; } = new()
    {
        UseQuartz = false,
        SweepInterval = TimeSpan.FromSeconds(1),
        CheckpointInterval = TimeSpan.FromSeconds(1),
        TickResendAfter = TimeSpan.FromSeconds(3),
        SnapshotEvery = 25,
        HeartbeatInterval = TimeSpan.FromSeconds(5),
        // Long enough that a test advancing virtual time in one jump never outruns the heartbeats.
        WorkLease = TimeSpan.FromMinutes(5),
    };

    /// <summary>Moves the clock and the timers together, one step at a time.</summary>
    protected void Advance(TimeSpan by, TimeSpan? step = null)
    {
        var s = step ?? TimeSpan.FromSeconds(1);
        for (var done = TimeSpan.Zero; done < by; done += s)
        {
            var d = by - done < s ? by - done : s;
            Clock.Advance(d);
            Timers.Advance(d);
        }
    }

    /// <summary>Advances in steps until <paramref name="condition"/> holds, waiting for the actors after each step.</summary>
    protected async Task AdvanceUntilAsync(Func<Task<bool>> condition, TimeSpan step, TimeSpan max)
    {
        for (var elapsed = TimeSpan.Zero; elapsed <= max; elapsed += step)
        {
            if (await condition()) return;
            Advance(step, step);
            // Real time for the thread-pool side of a step (a handler starting or finishing, which registers its next
            // virtual-time wait); actor round trips alone were tried and let virtual time outrun such work.
            await Task.Delay(20);
        }
        Assert.Fail($"condition not reached within {max} of virtual time");
    }

    protected IActorRef StartScheduler()
    {
        _schedulerIncarnation++;
        return Sys.ActorOf(Pipeline.Scheduler(Jobs), $"scheduler-{_schedulerIncarnation}");
    }

    /// <summary>Stops the scheduler the hard way (no final checkpoint) and starts its successor from the journal.</summary>
    protected async Task FailOverSchedulerAsync(TimeSpan? downtime = null)
    {
        var probe = CreateTestProbe();
        probe.Watch(Scheduler);
        Sys.Stop(Scheduler);
        probe.ExpectTerminated(Scheduler, Patience);
        if (downtime is { } d) Clock.Advance(d);
        Scheduler = StartScheduler();
        await Task.CompletedTask;
    }

    protected static JobDefinition Job(string id, string schedule, object? parameters = null, string handler = "scripted") => new()
    {
        Id = id,
        Schedule = schedule,
        Handler = handler,
        Parameters = JsonSerializer.SerializeToElement(parameters ?? new { }),
        Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromSeconds(5), MaxBackoff = TimeSpan.FromMinutes(1), Multiplier = 2, Jitter = 0 },
    };

    protected async Task RegisterAsync(JobDefinition definition)
    {
        var reply = await Scheduler.Ask<object>(new RegisterJob(definition), Patience);
        Assert.IsType<CommandAck>(reply);
    }

    protected async Task<IReadOnlyList<RunView>> RunsAsync(string jobId)
    {
        var result = await Jobs.Ask<ListRunsResult>(new ListRuns(jobId, 500), Patience);
        return result.Runs;
    }

    protected async Task<RunView> AwaitRunAsync(string jobId, string runId, Func<RunView, bool> condition)
    {
        RunView? found = null;
        await AwaitAssertAsync(async () =>
        {
            found = (await RunsAsync(jobId)).SingleOrDefault(r => r.RunId == runId);
            Assert.NotNull(found);
            Assert.True(condition(found!), $"run {runId} is {found!.Status} after {found.Attempts} attempts");
        }, Patience, TimeSpan.FromMilliseconds(50));
        return found!;
    }

    protected async Task<string> TriggerAsync(string jobId)
    {
        var ack = await Scheduler.Ask<CommandAck>(new TriggerJob(jobId), Patience);
        return ack.RunId!;
    }

    /// <summary>
    /// Waits until the supervisor recorded the failure of <paramref name="attempt"/>: the worker arms
    /// its retry timer before reporting, so virtual time may be advanced safely afterwards.
    /// </summary>
    protected Task AwaitFailedAttemptAsync(string jobId, string runId, int attempt) =>
        AwaitRunAsync(jobId, runId, r => r.Error?.Contains($"attempt {attempt} failed") == true);

    protected async Task AwaitCallsAsync(string jobId, int count) =>
        await AwaitConditionAsync(() => Task.FromResult(Handled.For(jobId).Count >= count), Patience, TimeSpan.FromMilliseconds(20));
}
