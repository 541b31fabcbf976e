using Akka.Actor;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Actors.Jobs;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Actors.Workers;
using Akka.Jobs.Domain.Definitions;
using Microsoft.Extensions.DependencyInjection;

namespace Akka.Jobs.Actors.Hosting;

/// <summary>
/// How each actor of the pipeline is made from the node's services. The hosting extensions (<see cref="JobsActorsHosting"/>)
/// and the pipeline tests both build their actors here, so a new dependency of an actor is wired in one place. The
/// services are resolved once, when this is made, not for every entity that starts (a fan-out starts one worker per
/// item). The actors it needs to talk to are passed per call: sharding resolves them lazily, and tests swap the scheduler.
/// </summary>
public sealed class PipelineProps(IServiceProvider services, JobsSettings settings)
{
    private readonly TimeProvider _clock = services.GetRequiredService<TimeProvider>();
    private readonly JobHandlerRegistry _handlers = services.GetRequiredService<JobHandlerRegistry>();
    private readonly ShellPolicy _shell = services.GetRequiredService<ShellPolicy>();
    /// <summary>The node's (registered by the node host); a pipeline test without one gets its own, from its settings.</summary>
    private readonly WorkerSlots _slots = services.GetService<WorkerSlots>() ?? new WorkerSlots(settings);
    private readonly TimeSpan _workerIdleAfter = WorkerIdleAfter(settings);

    /// <summary>The scheduler (the node runs it as a cluster singleton under a backoff supervisor).</summary>
    public Props Scheduler(IActorRef jobs) => SchedulerActor.Props(jobs, _handlers, _shell, _clock, settings);

    /// <summary>The job actor of <paramref name="jobId"/>; <paramref name="mediator"/> publishes run changes (none in tests).</summary>
    public Props JobActor(string jobId, IActorRef workers, IActorRef scheduler, IActorRef? mediator) =>
        Jobs.JobActor.Props(jobId, workers, scheduler, mediator, _clock, settings);

    /// <summary>The worker of one (job, item) on <paramref name="node"/>; <paramref name="tracker"/> is the node's work tracker.</summary>
    public Props Worker(IActorRef jobs, string node, IActorRef? tracker) =>
        EntityWorkerActor.Props(jobs, _handlers, _clock, node, tracker, settings.HeartbeatInterval, _workerIdleAfter, _slots);

    /// <summary>
    /// A worker keeps an outcome until the job actor has recorded it, to answer a re-dispatch after a lost report
    /// instead of running the item again; that re-dispatch comes after the work lease at the latest. So a worker stays
    /// at least two leases, however short <see cref="JobsSettings.PassivateIdleAfter"/> is.
    /// </summary>
    public static TimeSpan WorkerIdleAfter(JobsSettings settings) =>
        settings.PassivateIdleAfter > 2 * settings.WorkLease ? settings.PassivateIdleAfter : 2 * settings.WorkLease;
}
