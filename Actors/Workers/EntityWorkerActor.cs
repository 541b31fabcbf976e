using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Domain.Protocol;

namespace Akka.Jobs.Actors.Workers;

/// <summary>
/// Sharded worker of one (job, item). Each attempt runs in an <see cref="AttemptRunner"/> child;
/// the failure it throws reaches this actor's supervisor strategy, which stops the child and lets
/// the retry policy schedule the next attempt after an exponential, jittered backoff, or end the
/// item on a non-retryable error. Outcomes go back to the job's supervisor through the job region.
/// </summary>
public sealed class EntityWorkerActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _jobs;
    private readonly JobHandlerRegistry _handlers;
    private readonly TimeProvider _clock;
    private readonly string _node;
    private readonly IActorRef? _tracker;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Execution> _executions = [];
    private readonly Dictionary<string, object> _outcomes = [];
    private readonly Queue<string> _outcomeOrder = new();
    private readonly TimeSpan _heartbeatInterval;
    private long _attempts;

    public EntityWorkerActor(IActorRef jobs, JobHandlerRegistry handlers, TimeProvider clock, string node, IActorRef? tracker, TimeSpan heartbeatInterval, TimeSpan idleAfter)
    {
        _heartbeatInterval = heartbeatInterval;
        _jobs = jobs;
        _handlers = handlers;
        _clock = clock;
        _node = node;
        _tracker = tracker;

        Receive<ExecuteWork>(OnExecute);
        Receive<CancelWork>(c => Cancel(c.RunId, c.Reason, report: false));
        Receive<CancelAllWork>(c =>
        {
            foreach (var runId in _executions.Keys.ToList()) Cancel(runId, c.Reason, report: true);
        });
        Receive<RetryDue>(r =>
        {
            if (_executions.TryGetValue(r.RunId, out var ex) && ex.Child is null) StartAttempt(ex);
        });
        Receive<RetryGranted>(g =>
        {
            if (_executions.TryGetValue(g.RunId, out var ex) && ex.Child is null && ex.RetryAtUtc is not null) ArmRetry(ex, g.Attempt);
        });
        Receive<WorkRecorded>(r =>
        {
            // The outcome is durable with the supervisor, which will not dispatch this run's item again: a
            // fan-out leaves no idle worker per item behind once its items are done. A job's single item is
            // run again by its next run, so its worker stays until idle, like the job's supervisor: making
            // the actor anew for every run of an every-second job was a large share of what a run allocated.
            _outcomes.Remove(r.RunId);
            if (_executions.Count == 0 && _outcomes.Count == 0 && r.ItemKey != Contracts.Jobs.JobParameters.SingleItemKey)
                Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
        });
        Receive<HeartbeatDue>(_ =>
        {
            // The timer outlives an execution by up to one interval, so a worker that runs every few
            // seconds does not start and cancel a timer for every run.
            if (_executions.Count == 0) Timers.Cancel("heartbeat");
            foreach (var ex in _executions.Values)
                _jobs.Tell(new WorkHeartbeat(ex.Work.JobId, ex.Work.RunId, ex.Work.ItemKey, ex.Attempt, _node));
        });
        Receive<ReceiveTimeout>(_ =>
        {
            if (_executions.Count == 0) Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
        });
        Context.SetReceiveTimeout(idleAfter);
        Receive<AttemptSucceeded>(OnSucceeded);
        Receive<AttemptFailedException>(OnFailed);
        Receive<AttemptCancelled>(OnCancelled);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef jobs, JobHandlerRegistry handlers, TimeProvider clock, string node, IActorRef? tracker, TimeSpan heartbeatInterval, TimeSpan? idleAfter = null) =>
        ActorProps.Of(() => new EntityWorkerActor(jobs, handlers, clock, node, tracker, heartbeatInterval, idleAfter ?? TimeSpan.FromMinutes(2)));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(ex =>
    {
        // Runs in this actor's context: hand the failure to the retry policy and retire the child.
        Self.Tell(ex as AttemptFailedException ?? new AttemptFailedException("", 0, default, _clock.GetUtcNow(), ex.GetType().Name, ex.Message, true, ex));
        return Directive.Stop;
    }, loggingEnabled: false);

    private void OnExecute(ExecuteWork w)
    {
        if (_executions.TryGetValue(w.RunId, out var running))
        {
            // A recovered supervisor re-dispatching an item that waits for its retry grant: the attempt
            // number it sends is the grant. Otherwise keep going, and say where we are.
            if (running.Child is null && running.RetryAtUtc is not null && w.FirstAttempt > running.Attempt) ArmRetry(running, w.FirstAttempt);
            else _jobs.Tell(new WorkHeartbeat(w.JobId, w.RunId, w.ItemKey, running.Attempt, _node));
            return;
        }
        if (_outcomes.TryGetValue(w.RunId, out var outcome))
        {
            // Done already, but the report may have been lost with the supervisor's node: repeat the
            // report instead of running the item again under an attempt number that was already used.
            _jobs.Tell(outcome);
            return;
        }
        var ex = new Execution(w, w.FirstAttempt - 1);
        _executions[w.RunId] = ex;
        if (_executions.Count == 1)
        {
            _tracker?.Tell(new WorkTracker.Busy(Self));
            if (!Timers.IsTimerActive("heartbeat")) Timers.StartPeriodicTimer("heartbeat", HeartbeatDue.Instance, _heartbeatInterval);
        }
        StartAttempt(ex);
    }

    private void StartAttempt(Execution ex)
    {
        ex.Attempt++;
        var w = ex.Work;
        var context = new Handlers.JobContext(w.JobId, w.RunId, w.ItemKey, ex.Attempt, w.ScheduledUtc, w.Definition);
        ex.Child = Context.ActorOf(AttemptRunner.Props(context, _handlers, _clock, w.DeadlineUtc, w.NotBeforeUtc), $"attempt-{_attempts++}");
        _jobs.Tell(new WorkStarted(w.JobId, w.RunId, w.ItemKey, ex.Attempt, _node, _clock.GetUtcNow()));
        _log.Debug("Attempt started job={0} run={1} item={2} attempt={3}", w.JobId, w.RunId, w.ItemKey, ex.Attempt);
    }

    private void OnSucceeded(AttemptSucceeded s)
    {
        if (!_executions.TryGetValue(s.RunId, out var ex) || ex.Attempt != s.Attempt) return;
        var w = ex.Work;
        Report(s.RunId, new WorkSucceeded(w.JobId, w.RunId, w.ItemKey, s.Attempt, _node, s.StartedUtc, s.FinishedUtc, s.Output), final: true);
        Done(s.RunId);
    }

    private void OnFailed(AttemptFailedException f)
    {
        if (!_executions.TryGetValue(f.RunId, out var ex) || ex.Attempt != f.Attempt) return;
        var w = ex.Work;
        var retry = w.Definition.Retry;
        var willRetry = f.Retryable && !retry.NonRetryable.Contains(f.Kind) && f.Attempt < retry.MaxAttempts;
        DateTimeOffset? retryAt = null;
        if (willRetry)
        {
            var backoff = retry.BackoffBefore(f.Attempt + 1);
            backoff += TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * retry.Jitter * Random.Shared.NextDouble());
            retryAt = _clock.GetUtcNow() + backoff;
            ex.Child = null;
            // The next attempt number comes from the supervisor once it has recorded this failure
            // (RetryGranted), so a worker cut off from it never reuses a number the supervisor hands out.
            ex.RetryAtUtc = retryAt;
        }
        Report(f.RunId, new WorkFailed(w.JobId, w.RunId, w.ItemKey, f.Attempt, _node, f.StartedUtc, f.FailedUtc, f.Kind, f.Message, willRetry, retryAt), final: !willRetry);
        if (!willRetry) Done(f.RunId);
    }

    /// <summary>Starts attempt <paramref name="attempt"/> when its backoff is over (at once if it already is).</summary>
    private void ArmRetry(Execution ex, int attempt)
    {
        var due = ex.RetryAtUtc!.Value - _clock.GetUtcNow();
        ex.RetryAtUtc = null;
        ex.Attempt = attempt - 1;
        if (due <= TimeSpan.Zero) Self.Tell(new RetryDue(ex.Work.RunId));
        else Timers.StartSingleTimer(ex.Work.RunId, new RetryDue(ex.Work.RunId), due);
    }

    private void OnCancelled(AttemptCancelled c)
    {
        if (!_executions.TryGetValue(c.RunId, out var ex) || ex.Attempt != c.Attempt) return;
        if (ex.ReportCancel)
            Report(c.RunId, new WorkCancelled(ex.Work.JobId, c.RunId, ex.Work.ItemKey, c.Attempt, _node, c.CancelledUtc), final: true);
        Done(c.RunId);
    }

    private void Cancel(string runId, string reason, bool report)
    {
        if (!_executions.TryGetValue(runId, out var ex)) return;
        ex.ReportCancel |= report;
        Timers.Cancel(runId);
        if (ex.Child is { } child)
        {
            child.Tell(new CancelAttempt(reason));
            return;
        }
        if (report) _jobs.Tell(new WorkCancelled(ex.Work.JobId, runId, ex.Work.ItemKey, ex.Attempt, _node, _clock.GetUtcNow()));
        Done(runId);
    }

    /// <summary>Sends an outcome; a final one is also kept (last 1000 runs) to answer re-deliveries.</summary>
    private void Report(string runId, object outcome, bool final)
    {
        _jobs.Tell(outcome);
        if (!final) return;
        if (_outcomes.TryAdd(runId, outcome)) _outcomeOrder.Enqueue(runId);
        while (_outcomeOrder.Count > 1000) _outcomes.Remove(_outcomeOrder.Dequeue());
    }

    private void Done(string runId)
    {
        _executions.Remove(runId);
        Timers.Cancel(runId);
        if (_executions.Count > 0) return;
        _tracker?.Tell(new WorkTracker.Idle(Self));
    }

    private sealed class Execution(ExecuteWork work, int attempt)
    {
        public ExecuteWork Work { get; } = work;
        public int Attempt { get; set; } = attempt;
        public IActorRef? Child { get; set; }
        /// <summary>Set while a retry waits for the supervisor's grant: when its backoff ends.</summary>
        public DateTimeOffset? RetryAtUtc { get; set; }
        public bool ReportCancel { get; set; }
    }

    private sealed record RetryDue(string RunId) : IDeadLetterSuppression, INotInfluenceReceiveTimeout;

    private sealed class HeartbeatDue : IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static readonly HeartbeatDue Instance = new();
    }
}

/// <summary>Cancels every execution of a worker, reporting each as cancelled (node shutdown).</summary>
public sealed record CancelAllWork(string Reason);
