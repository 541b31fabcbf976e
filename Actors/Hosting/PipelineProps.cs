using Akka.Actor;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Actors.Jobs;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Actors.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Akka.Jobs.Actors.Hosting;

/// <summary>
/// How each actor of the pipeline is made from the node's services. The hosting extensions (<see cref="JobsActorsHosting"/>)
/// and the pipeline tests both build their actors here, so a new dependency of an actor is wired in one place. The
/// actors it needs to talk to are passed per call: sharding resolves them lazily, and tests swap the scheduler.
/// </summary>
public static class PipelineProps
{
    /// <summary>The scheduler (the node runs it as a cluster singleton under a backoff supervisor).</summary>
    public static Props Scheduler(IActorRef jobs, IServiceProvider services, JobsSettings settings) =>
        SchedulerActor.Props(jobs, services.GetRequiredService<JobHandlerRegistry>(), services.GetRequiredService<TimeProvider>(), settings);

    /// <summary>The job actor of <paramref name="jobId"/>; <paramref name="mediator"/> publishes run changes (none in tests).</summary>
    public static Props JobActor(string jobId, IActorRef workers, IActorRef scheduler, IActorRef? mediator, IServiceProvider services, JobsSettings settings) =>
        Jobs.JobActor.Props(jobId, workers, scheduler, mediator, services.GetRequiredService<TimeProvider>(), settings);

    /// <summary>The worker of one (job, item) on <paramref name="node"/>; <paramref name="tracker"/> is the node's work tracker.</summary>
    public static Props Worker(IActorRef jobs, string node, IActorRef? tracker, IServiceProvider services, JobsSettings settings) =>
        EntityWorkerActor.Props(jobs, services.GetRequiredService<JobHandlerRegistry>(), services.GetRequiredService<TimeProvider>(), node, tracker,
            settings.HeartbeatInterval, WorkerIdleAfter(settings));

    /// <summary>
    /// A worker keeps an outcome until the job actor has recorded it, to answer a re-dispatch after a lost report
    /// instead of running the item again; that re-dispatch comes after the work lease at the latest. So a worker stays
    /// at least two leases, however short <see cref="JobsSettings.PassivateIdleAfter"/> is.
    /// </summary>
    public static TimeSpan WorkerIdleAfter(JobsSettings settings) =>
        settings.PassivateIdleAfter > 2 * settings.WorkLease ? settings.PassivateIdleAfter : 2 * settings.WorkLease;
}
