using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Orchestrator.ActorApi;

/// <summary>
/// One outside subscriber's lease on a run-events topic: subscribes itself to the DistributedPubSub topic, confirms to
/// the subscriber once the mediator has, forwards every <see cref="RunStatusChanged"/>, and stops when the lease runs
/// out without a renewal (a cluster client that went away leaves nothing behind) or on <see cref="End"/>. The mediator
/// watches its subscribers, so stopping is the unsubscription. Renewals may come from a new response tunnel of the
/// same client (the receptionist recreates it after its idle timeout); events go to the latest one.
/// </summary>
internal sealed class RunEventsSubscription : ReceiveActor, IWithTimers
{
    /// <summary>Subscribe again, or for the first time; replies with <see cref="RunEventsSubscribed"/>.</summary>
    public sealed record Renew(IActorRef Subscriber);

    /// <summary>The subscriber ended its subscription; replies with <see cref="RunEventsUnsubscribed"/>.</summary>
    public sealed record End(IActorRef Subscriber);

    private sealed class LeaseExpired : IDeadLetterSuppression
    {
        public static readonly LeaseExpired Instance = new();
    }

    private const string LeaseKey = "lease";

    private readonly IActorRef _mediator;
    private readonly string _topic;
    private readonly string? _jobId;
    private readonly TimeSpan _lease;
    private IActorRef _subscriber = ActorRefs.Nobody;

    public RunEventsSubscription(IActorRef mediator, string topic, string? jobId, TimeSpan lease)
    {
        _mediator = mediator;
        _topic = topic;
        _jobId = jobId;
        _lease = lease;
        Subscribing();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef mediator, string topic, string? jobId, TimeSpan lease) =>
        Akka.Actor.Props.Create(() => new RunEventsSubscription(mediator, topic, jobId, lease));

    protected override void PreStart() => _mediator.Tell(new Subscribe(_topic, Self));

    /// <summary>Until the mediator confirms: renewals only move the lease, the confirmation goes out with the ack.</summary>
    private void Subscribing()
    {
        Receive<SubscribeAck>(HandleSubscribeAck);
        Receive<Renew>(HandleRenewWhileSubscribing);
        Receive<End>(HandleEnd);
        Receive<LeaseExpired>(HandleLeaseExpired);
    }

    private void Forwarding()
    {
        Receive<RunStatusChanged>(HandleRunEvent);
        Receive<Renew>(HandleRenew);
        Receive<End>(HandleEnd);
        Receive<LeaseExpired>(HandleLeaseExpired);
        Receive<SubscribeAck>(_ => { }); // a repeated confirmation changes nothing
    }

    private void HandleSubscribeAck(SubscribeAck _)
    {
        _subscriber.Tell(new RunEventsSubscribed(_jobId, _lease));
        Become(Forwarding);
    }

    private void HandleRenewWhileSubscribing(Renew r)
    {
        _subscriber = r.Subscriber;
        Timers.StartSingleTimer(LeaseKey, LeaseExpired.Instance, _lease);
    }

    private void HandleRenew(Renew r)
    {
        HandleRenewWhileSubscribing(r);
        _subscriber.Tell(new RunEventsSubscribed(_jobId, _lease));
    }

    private void HandleRunEvent(RunStatusChanged e) => _subscriber.Tell(e);

    private void HandleEnd(End e)
    {
        e.Subscriber.Tell(new RunEventsUnsubscribed(_jobId));
        Context.Stop(Self);
    }

    private void HandleLeaseExpired(LeaseExpired _) => Context.Stop(Self);
}
