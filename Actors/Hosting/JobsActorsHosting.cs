using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Pattern;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Actors.Serialization;
using Akka.Jobs.Actors.Sharding;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Actors.Jobs;
using Akka.Jobs.Actors.Workers;
using Akka.Jobs.Contracts.Serialization;
using Akka.Jobs.Domain.Outbound;
using Akka.Jobs.Domain.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Akka.Jobs.Actors.Hosting;

/// <summary>ActorRegistry key of the job actors' shard region.</summary>
public sealed class JobRegion;

/// <summary>ActorRegistry key of the workers' shard region.</summary>
public sealed class WorkerRegion;

/// <summary>ActorRegistry key of the scheduler singleton's proxy.</summary>
public sealed class SchedulerProxy;

/// <summary>ActorRegistry key of the node-local <see cref="WorkTracker"/>.</summary>
public sealed class WorkTrackerKey;

/// <summary>One builder extension per piece of the pipeline; the node and the tests compose the same ones.</summary>
public static class JobsActorsHosting
{
    /// <summary>Binds the Contracts and internal serializers to every type they own.</summary>
    public static AkkaConfigurationBuilder AddJobsSerialization(this AkkaConfigurationBuilder b) => b
        .WithCustomSerializer("akka-jobs-contracts", ContractsSerializer.Table.Keys, sys => new ContractsSerializer(sys))
        .WithCustomSerializer("akka-jobs-internal", InternalSerializer.Table.Keys, sys => new InternalSerializer(sys));

    /// <summary>The scheduler as a cluster singleton (proxy registered as <see cref="SchedulerProxy"/>).</summary>
    public static AkkaConfigurationBuilder AddScheduler(this AkkaConfigurationBuilder b, JobsSettings settings, string? role = null) =>
        b.WithSingleton<SchedulerProxy>("scheduler",
            // A journal failure stops a persistent actor; the singleton must come back by itself
            // once the database does, so the scheduler runs under a backoff supervisor.
            (system, registry, _) => BackoffSupervisor.Props(Backoff.OnStop(
                new PipelineProps(ServicesOf(system), settings).Scheduler(registry.Get<JobRegion>()),
                "scheduler",
                TimeSpan.FromSeconds(1),
                TimeSpan.FromSeconds(10),
                0.2,
                -1)),
            new ClusterSingletonOptions { Role = role });

    /// <summary>Job actors, one sharded persistent entity per job.</summary>
    public static AkkaConfigurationBuilder AddJobActors(this AkkaConfigurationBuilder b, JobsSettings settings, string? role = null) =>
        b.WithShardRegion<JobRegion>("job",
            (system, registry, _) =>
            {
                var props = new PipelineProps(ServicesOf(system), settings);
                var mediator = DistributedPubSub.Get(system).Mediator;
                return jobId => props.JobActor(jobId, registry.Get<WorkerRegion>(), registry.Get<SchedulerProxy>(), mediator);
            },
            new JobMessageExtractor(settings.Shards),
            new ShardOptions { Role = role, StateStoreMode = StateStoreMode.DData, RememberEntities = false });

    /// <summary>Entity workers, one sharded entity per (job, item), plus the node's work tracker.</summary>
    public static AkkaConfigurationBuilder AddEntityWorkers(this AkkaConfigurationBuilder b, JobsSettings settings, string? role = null) => b
        .WithActors((system, registry) => registry.Register<WorkTrackerKey>(system.ActorOf(WorkTracker.Props(), "work-tracker")))
        .WithShardRegion<WorkerRegion>("worker",
            (system, registry, _) =>
            {
                var props = new PipelineProps(ServicesOf(system), settings);
                var node = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
                return _ => props.Worker(registry.Get<JobRegion>(), node, registry.Get<WorkTrackerKey>());
            },
            new WorkerMessageExtractor(settings.Shards),
            new ShardOptions { Role = role, StateStoreMode = StateStoreMode.DData, RememberEntities = false });

    /// <summary>The node's service provider, as Akka.Hosting hands it to the actor system.</summary>
    private static IServiceProvider ServicesOf(ActorSystem system) => DependencyResolver.For(system).Resolver switch
    {
        ServiceProviderDependencyResolver r => r.ServiceProvider,
        var other => throw new InvalidOperationException($"the actor system's dependency resolver is a {other.GetType().Name}, not a service provider"),
    };

    /// <summary>
    /// The built-in handlers and their registry. Without an <see cref="ISecretStore"/> and an <see cref="OutboundPolicy"/>
    /// registered before, there are no secrets and the http handler reaches public addresses only.
    /// </summary>
    public static IServiceCollection AddBuiltInJobHandlers(this IServiceCollection services)
    {
        services.TryAddSingleton<ISecretStore>(SecretStore.Empty);
        services.TryAddSingleton(OutboundPolicy.Default);
        services.AddSingleton<JobHandlerRegistry>();
        services.TryAddSingleton(ShellPolicy.Default);
        services.AddSingleton(sp => OutboundHttp.CreateClient(sp.GetRequiredService<OutboundPolicy>()));
        services.AddJobHandler<NoopHandler>("noop");
        services.AddJobHandler<ShellHandler>(ShellHandler.Name);
        services.AddJobHandler<HttpHandler>(HttpHandler.Name);
        return services;
    }
}
