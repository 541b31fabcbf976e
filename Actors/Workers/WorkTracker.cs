using Akka.Actor;

namespace Akka.Jobs.Actors.Workers;

/// <summary>
/// Node-local register of workers with attempts in progress, so a graceful shutdown can cancel
/// them and wait until each has reported its cancellation to its job actor.
/// </summary>
public sealed class WorkTracker : ReceiveActor
{
    private readonly HashSet<IActorRef> _busy = [];
    private readonly List<IActorRef> _waiting = [];

    public WorkTracker()
    {
        Receive<Busy>(HandleBusy);
        Receive<Idle>(HandleIdle);
        Receive<Terminated>(HandleTerminated);
        Receive<CancelAllAndWait>(HandleCancelAllAndWait);
    }

    private void HandleBusy(Busy b)
    {
        _busy.Add(b.Worker);
        Context.Watch(b.Worker);
    }

    private void HandleIdle(Idle i) => Release(i.Worker);

    private void HandleTerminated(Terminated t) => Release(t.ActorRef);

    private void HandleCancelAllAndWait(CancelAllAndWait c)
    {
        foreach (var worker in _busy) worker.Tell(new CancelAllWork(c.Reason));
        _waiting.Add(Sender);
        ReplyIfIdle();
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new WorkTracker());

    private void Release(IActorRef worker)
    {
        if (_busy.Remove(worker)) Context.Unwatch(worker);
        ReplyIfIdle();
    }

    private void ReplyIfIdle()
    {
        if (_busy.Count > 0) return;
        foreach (var w in _waiting) w.Tell(AllIdle.Instance);
        _waiting.Clear();
    }

    public sealed record Busy(IActorRef Worker);

    public sealed record Idle(IActorRef Worker);

    public sealed record CancelAllAndWait(string Reason);

    public sealed class AllIdle
    {
        public static readonly AllIdle Instance = new();
    }
}
