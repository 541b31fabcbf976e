using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Orchestrator.Security;

namespace Akka.Jobs.Orchestrator.ActorApi;

/// <summary>ActorRegistry key of the node's <see cref="JobsApiActor"/>.</summary>
public sealed class JobsApiKey;

public static class JobsApiActorHosting
{
    /// <summary>
    /// With <c>akka.jobs.actor-api.enabled = off</c> neither the actor nor the receptionist starts: nothing on the
    /// remoting port answers <c>ClusterClient</c>s.
    /// </summary>
    public static AkkaConfigurationBuilder AddJobsApiActorIf(this AkkaConfigurationBuilder b, bool enabled) => enabled ? b.AddJobsApiActor() : b;

    /// <summary>
    /// <c>/user/jobs-api</c> on this node, registered with the cluster client receptionist (<c>/system/receptionist</c>)
    /// so a <c>ClusterClient</c> reaches it with <c>Send("/user/jobs-api", msg)</c>. The receptionist hosting only
    /// writes configuration: the extension has to be started, and the service registered, here.
    /// </summary>
    public static AkkaConfigurationBuilder AddJobsApiActor(this AkkaConfigurationBuilder b) => b
        .WithClusterClientReceptionist()
        .WithActors((system, registry, resolver) =>
        {
            var api = system.ActorOf(JobsApiActor.Props(
                registry.Get<SchedulerProxy>(),
                registry.Get<JobRegion>(),
                DistributedPubSub.Get(system).Mediator,
                resolver.GetService<AuditLog>()), JobsApiActor.Name);
            registry.Register<JobsApiKey>(api);
            ClusterClientReceptionist.Get(system).RegisterService(api);
        });
}
