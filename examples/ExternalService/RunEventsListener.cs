using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Event;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Examples.ExternalService;

/// <summary>
/// Holds a run-events subscription at the jobs API actor: subscribes, renews the lease at a third of its length (the
/// API drops a subscription that is not renewed) and hands every reply and event to the program.
/// </summary>
internal sealed class RunEventsListener : ReceiveActor, IWithTimers
{
    public sealed class Stop
    {
        public static readonly Stop Instance = new();
    }

    private sealed class Renew : IDeadLetterSuppression
    {
        public static readonly Renew Instance = new();
    }

    private readonly IActorRef _client;
    private readonly string _jobId;
    private readonly ChannelWriter<object> _events;

    public RunEventsListener(IActorRef client, string jobId, ChannelWriter<object> events)
    {
        _client = client;
        _jobId = jobId;
        _events = events;
        Receive<RunEventsSubscribed>(HandleSubscribed);
        Receive<Renew>(_ => Subscribe());
        Receive<Stop>(HandleStop);
        ReceiveAny(m => _events.TryWrite(m));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef client, string jobId, ChannelWriter<object> events) =>
        Akka.Actor.Props.Create(() => new RunEventsListener(client, jobId, events));

    protected override void PreStart() => Subscribe();

    // localAffinity: every renewal goes to the jobs API of the node this client is connected to. Sent to random nodes,
    // renewals would leave a subscription on each of them, and every event would arrive once per node.
    private void Subscribe() => _client.Tell(new ClusterClient.Send(JobsApi.Path, new SubscribeRunEvents(_jobId), localAffinity: true));

    private void HandleSubscribed(RunEventsSubscribed s)
    {
        Timers.StartSingleTimer("renew", Renew.Instance, s.Lease / 3);
        _events.TryWrite(s);
    }

    private void HandleStop(Stop _)
    {
        Timers.CancelAll();
        _client.Tell(new ClusterClient.Send(JobsApi.Path, new UnsubscribeRunEvents(_jobId), localAffinity: true));
    }
}
