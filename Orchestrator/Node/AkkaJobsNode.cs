using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Actors.Workers;
using Akka.Jobs.Orchestrator.ActorApi;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Domain.Secrets;
using Akka.Jobs.Persistence;
using Akka.Jobs.Orchestrator.Remoting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Akka.Jobs.Orchestrator.Node;

/// <summary>The one place where a node's ActorSystem is composed; tests use it too.</summary>
public static class AkkaJobsNode
{
    public const string SystemName = "akka-jobs";

    /// <summary>Registers handlers, the clock, the ActorSystem and the definitions loader.</summary>
    public static IServiceCollection AddAkkaJobs(this IServiceCollection services, NodeOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ISecretStore>(options.Secrets);
        services.AddSingleton(options.HttpPolicy);
        services.AddSingleton(options.Shell);
        services.AddSingleton(new WorkerSlots(options.Engine));
        services.AddBuiltInJobHandlers();
        services.AddSingleton(options);
        services.AddAkka(SystemName, (b, _) => b.ConfigureAkkaJobs(options));
        services.AddSingleton<DefinitionsRegistrar>();
        services.AddHostedService(sp => sp.GetRequiredService<DefinitionsRegistrar>());
        services.AddSingleton<Api.MemberUpTimes>();
        services.AddSingleton(new Persistence.Audit.AuditStore(DatabaseTarget.Parse(options.Db)));
        services.AddSingleton<Security.AuditLog>();
        services.AddHostedService<Security.AuditPruning>();
        return services;
    }

    /// <summary>Remoting, cluster (keep-majority), serializers, persistence, scheduler, job actors, workers and the actor API.</summary>
    public static AkkaConfigurationBuilder ConfigureAkkaJobs(this AkkaConfigurationBuilder b, NodeOptions o)
    {
        var engine = o.Engine;
        var role = JobsRole(o);
        b.AddHocon(BaseHocon, HoconAddMode.Append);
        if (!string.IsNullOrWhiteSpace(o.AkkaHocon)) b.AddHocon(o.AkkaHocon, HoconAddMode.Prepend);
        return b
            .AddJobsRemoting(o)
            .WithClustering(new ClusterOptions
            {
                SeedNodes = o.Seeds.ToArray(),
                Roles = o.Roles.ToArray(),
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .ConfigureNodeLogging(o)
            .AddJobsSerialization()
            .AddJobsPersistence(DatabaseTarget.Parse(o.Db))
            .WithDistributedPubSub(role: null!)
            .AddEntityWorkers(engine, role)
            .AddJobActors(engine, role)
            .AddScheduler(engine, role)
            // After the regions and the scheduler proxy, which the API actor is given.
            .AddJobsApiActorIf(o.ActorApiEnabled)
            .WithActors((system, registry) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                // A node without seeds is a cluster of one: it joins itself.
                if (o.Seeds.Count == 0) cluster.Join(cluster.SelfAddress);
                var tracker = registry.Get<WorkTrackerKey>();
                CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "cancel-running-work", async () =>
                {
                    try
                    {
                        await tracker.Ask<WorkTracker.AllIdle>(new WorkTracker.CancelAllAndWait("node shutting down"), TimeSpan.FromSeconds(10));
                    }
                    catch (Exception ex)
                    {
                        system.Log.Warning("Not every running item confirmed its cancellation: {0}", ex.Message);
                    }
                    return Done.Instance;
                });
            });
    }

    /// <summary>
    /// Nodes run the scheduler, job actors and workers unless roles are given: then only nodes with
    /// the role <c>jobs</c> do (others can serve the API or be clients).
    /// </summary>
    public static string? JobsRole(NodeOptions o) => o.Roles.Count > 0 ? "jobs" : null;

    private const string BaseHocon = """
        # Run start/finish lines are INFO; the node config's akka section may lower this (e.g. WARNING at
        # thousands of runs per second). It must stay overridable: a level set in code would win over it.
        akka.loglevel = INFO
        akka.cluster.sharding.distributed-data.durable.keys = []
        # Entities passivate themselves when idle: a job actor must not leave while its runs are in flight.
        akka.cluster.sharding.passivate-idle-entity-after = off
        # Fail-over timing (README "Split brain and fail-over timing"; ClusterTimingTests guards the
        # relations between these values). A killed node's singletons restart on a survivor after
        # detection (~pause + 1 s) + stable-after + a leader tick + down-removal-margin.
        # Heartbeats, reaper, leader actions and gossip run twice a second: they only decide how soon an
        # observed state is acted on, not how much evidence is needed (cheap with a handful of nodes).
        akka.cluster.failure-detector.heartbeat-interval = 500ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        akka.cluster.unreachable-nodes-reaper-interval = 500ms
        akka.cluster.leader-actions-interval = 500ms
        akka.cluster.gossip-interval = 500ms
        # Keep-majority decides after the membership has been stable this long. It must exceed the spread
        # between the moments one side sees each of the other side's nodes unreachable (about one
        # heartbeat + one reaper interval), or a minority could count itself a majority. Never auto-down.
        akka.cluster.split-brain-resolver.stable-after = 2s
        # After a member is downed, singletons and shards wait this long before moving, so the downed
        # side (which downs itself after its own stable-after) has stopped its copies first.
        akka.cluster.down-removal-margin = 2s
        akka.cluster.min-nr-of-members = 1
        akka.cluster.pub-sub.send-to-dead-letters-when-no-subscribers = off
        akka.coordinated-shutdown.phases.service-stop.timeout = 15s
        # During a database outage writes fail fast instead of piling up; the breaker probes again soon
        # so work resumes within seconds of the database coming back.
        akka.persistence.journal.sql.circuit-breaker { max-failures = 5, call-timeout = 10s, reset-timeout = 3s }
        akka.persistence.snapshot-store.sql.circuit-breaker { max-failures = 5, call-timeout = 10s, reset-timeout = 3s }
        # The journal's unique (persistence_id, sequence_number) constraint already rejects a second
        # writer. The replay filter's repair mode, on top of it, discarded valid events written by a
        # job actor's previous incarnation after a fail-over (seen in scripts/chaos.sh), so it is off.
        akka.persistence.journal.sql.replay-filter.mode = off
        """;
}
