using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Protocol;

namespace Akka.Jobs.Actors.Workers;

/// <summary>
/// Sharded worker of one (job, item). It runs the attempt its job actor hands it (<see cref="ExecuteWork"/>: number
/// and not-before instant) in an <see cref="AttemptRunner"/> child and reports the raw outcome; it decides nothing
/// about attempts. It remembers each run's last outcome until the job actor has recorded it, so a re-dispatch after a
/// lost report is answered with the outcome instead of running an attempt number twice.
/// </summary>
public sealed class EntityWorkerActor : ReceiveActor, IWithTimers
{
    private const int RememberedOutcomes = 1000;

    private readonly IActorRef _jobs;
    private readonly JobHandlerRegistry _handlers;
    private readonly WorkerSlots _slots;
    private readonly TimeProvider _clock;
    private readonly string _node;
    private readonly IActorRef? _tracker;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Execution> _executions = [];
    private readonly Dictionary<string, Outcome> _outcomes = [];
    private readonly Queue<string> _outcomeOrder = new();
    private readonly TimeSpan _heartbeatInterval;
    private long _attempts;

    public EntityWorkerActor(IActorRef jobs, JobHandlerRegistry handlers, WorkerSlots slots, TimeProvider clock, string node, IActorRef? tracker, TimeSpan heartbeatInterval, TimeSpan idleAfter)
    {
        _slots = slots;
        _heartbeatInterval = heartbeatInterval;
        _jobs = jobs;
        _handlers = handlers;
        _clock = clock;
        _node = node;
        _tracker = tracker;
        Context.SetReceiveTimeout(idleAfter);

        Receive<ExecuteWork>(HandleExecuteWork);
        Receive<CancelWork>(HandleCancelWork);
        Receive<CancelAllWork>(HandleCancelAllWork);
        Receive<WorkRecorded>(HandleWorkRecorded);
        Receive<HeartbeatDue>(HandleHeartbeatDue);
        Receive<ReceiveTimeout>(HandleReceiveTimeout);
        Receive<AttemptSucceeded>(HandleAttemptSucceeded);
        Receive<AttemptErrored>(HandleAttemptErrored);
        Receive<AttemptTimedOut>(HandleAttemptTimedOut);
        Receive<AttemptCancelled>(HandleAttemptCancelled);
        Receive<AttemptCrashed>(HandleAttemptCrashed);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="slots">The node's <see cref="WorkerSlots"/>; none (tests of one worker): no limit.</param>
    public static Props Props(IActorRef jobs, JobHandlerRegistry handlers, TimeProvider clock, string node, IActorRef? tracker, TimeSpan heartbeatInterval,
        TimeSpan? idleAfter = null, WorkerSlots? slots = null) =>
        ActorProps.Of(() => new EntityWorkerActor(jobs, handlers, slots ?? WorkerSlots.Unlimited, clock, node, tracker, heartbeatInterval, idleAfter ?? TimeSpan.FromMinutes(2)));

    /// <summary>Failed attempts are messages; only a bug in a runner reaches here, and it becomes that attempt's failure.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new ReportCrashedAttempt(Self);

    private void HandleExecuteWork(ExecuteWork w)
    {
        if (_executions.TryGetValue(w.RunId, out var running))
        {
            // A re-dispatch (its report or our confirmation was lost): keep going, and say where we are.
            _jobs.Tell(new WorkHeartbeat(w.JobId, w.RunId, w.ItemKey, running.Attempt, _node));
            return;
        }
        if (_outcomes.TryGetValue(w.RunId, out var outcome) && (outcome.Final || w.Attempt <= outcome.Attempt))
        {
            // Done already, but the report may have been lost with the job actor's node (which then resumes the run
            // under a new attempt number): repeat it instead of running the item again. Only a retryable failure is
            // followed by a later attempt.
            _jobs.Tell(outcome.Report);
            return;
        }
        Start(w);
    }

    private void HandleCancelWork(CancelWork c) => Cancel(c.RunId, c.Reason, report: false);

    private void HandleCancelAllWork(CancelAllWork c)
    {
        foreach (var runId in _executions.Keys.ToList()) Cancel(runId, c.Reason, report: true);
    }

    /// <summary>
    /// The outcome is durable with the job actor, which will not dispatch this run's item again: a fan-out leaves no
    /// idle worker per item behind once its items are done. A job's single item is run again by its next run, so its
    /// worker stays until idle, like the job actor: making the actor anew for every run of an every-second job was a
    /// large share of what a run allocated.
    /// </summary>
    private void HandleWorkRecorded(WorkRecorded r)
    {
        // The item's outcome is final: an attempt still running here (started from a re-dispatch that crossed the
        // failure report) has no one waiting for it.
        Cancel(r.RunId, "the item's outcome is already recorded", report: false);
        _outcomes.Remove(r.RunId);
        if (_executions.Count == 0 && _outcomes.Count == 0 && r.ItemKey != JobParameters.SingleItemKey)
            Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
    }

    /// <summary>The timer outlives an execution by up to one interval, so a worker that runs every few seconds does not start and cancel a timer for every run.</summary>
    private void HandleHeartbeatDue(HeartbeatDue _)
    {
        if (_executions.Count == 0) Timers.Cancel("heartbeat");
        foreach (var ex in _executions.Values)
            _jobs.Tell(new WorkHeartbeat(ex.Work.JobId, ex.Work.RunId, ex.Work.ItemKey, ex.Attempt, _node));
    }

    private void HandleReceiveTimeout(ReceiveTimeout _)
    {
        if (_executions.Count == 0) Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
    }

    private void HandleAttemptSucceeded(AttemptSucceeded s)
    {
        if (Current(s.RunId, s.Attempt) is not { } ex) return;
        var w = ex.Work;
        Finish(ex, new WorkSucceeded(w.JobId, w.RunId, w.ItemKey, s.Attempt, _node, s.StartedUtc, s.FinishedUtc, s.Output));
    }

    private void HandleAttemptErrored(AttemptErrored f)
    {
        if (Current(f.RunId, f.Attempt) is not { } ex) return;
        var w = ex.Work;
        Finish(ex, new WorkFailed(w.JobId, w.RunId, w.ItemKey, f.Attempt, _node, f.StartedUtc, f.FailedUtc, f.Kind, f.Message, f.Retryable));
    }

    private void HandleAttemptTimedOut(AttemptTimedOut t)
    {
        if (Current(t.RunId, t.Attempt) is not { } ex) return;
        var w = ex.Work;
        Finish(ex, new WorkTimedOut(w.JobId, w.RunId, w.ItemKey, t.Attempt, _node, t.StartedUtc, t.AtUtc));
    }

    private void HandleAttemptCancelled(AttemptCancelled c)
    {
        if (Current(c.RunId, c.Attempt) is not { } ex) return;
        var w = ex.Work;
        // Cancelled by its job actor (run ended): nothing to report. Cancelled by a node shutdown: the job actor must know.
        Finish(ex, ex.Phase == ExecutionPhase.CancellingWithReport ? new WorkCancelled(w.JobId, c.RunId, w.ItemKey, c.Attempt, _node, c.CancelledUtc) : null);
    }

    private void HandleAttemptCrashed(AttemptCrashed c)
    {
        var ex = _executions.Values.FirstOrDefault(e => e.Runner.Equals(c.Runner));
        if (ex is null) return;
        var w = ex.Work;
        var now = _clock.GetUtcNow();
        _log.Error(c.Cause, "Attempt runner crashed job={0} run={1} item={2} attempt={3}", w.JobId, w.RunId, w.ItemKey, ex.Attempt);
        // Reported, journaled and shown to viewers like any attempt error: masked and capped as the runner does.
        Finish(ex, new WorkFailed(w.JobId, w.RunId, w.ItemKey, ex.Attempt, _node, now, now, c.Cause.GetType().Name,
            AttemptRunner.ErrorText(_handlers.Secrets, c.Cause.Message)));
    }

    private void Start(ExecuteWork w)
    {
        var context = new JobContext(w.JobId, w.RunId, w.ItemKey, w.Attempt, w.ScheduledUtc, w.Definition);
        var runner = Context.ActorOf(AttemptRunner.Props(context, _handlers, _slots, _clock, w.DeadlineUtc, w.NotBeforeUtc), $"attempt-{_attempts++}");
        _executions[w.RunId] = new Execution(w, runner);
        if (_executions.Count == 1)
        {
            _tracker?.Tell(new WorkTracker.Busy(Self));
            if (!Timers.IsTimerActive("heartbeat")) Timers.StartPeriodicTimer("heartbeat", HeartbeatDue.Instance, _heartbeatInterval);
        }
        _jobs.Tell(new WorkStarted(w.JobId, w.RunId, w.ItemKey, w.Attempt, _node, _clock.GetUtcNow()));
        _log.Debug("Attempt started job={0} run={1} item={2} attempt={3}", w.JobId, w.RunId, w.ItemKey, w.Attempt);
    }

    private void Cancel(string runId, string reason, bool report)
    {
        if (!_executions.TryGetValue(runId, out var ex)) return;
        if (report || ex.Phase == ExecutionPhase.Running)
            ex.Phase = report ? ExecutionPhase.CancellingWithReport : ExecutionPhase.Cancelling;
        ex.Runner.Tell(new CancelAttempt(reason));
    }

    /// <summary>The execution of the run at <paramref name="attempt"/>, if that attempt is the one this worker runs.</summary>
    private Execution? Current(string runId, int attempt) =>
        _executions.TryGetValue(runId, out var ex) && ex.Attempt == attempt ? ex : null;

    /// <summary>Reports the attempt's outcome (kept to answer a re-dispatch) and ends its execution.</summary>
    private void Finish(Execution ex, object? report)
    {
        var runId = ex.Work.RunId;
        if (report is not null)
        {
            _jobs.Tell(report);
            // A run's later attempt replaces its earlier outcome in place: the run keeps its one place in the order.
            if (!_outcomes.ContainsKey(runId)) _outcomeOrder.Enqueue(runId);
            _outcomes[runId] = new Outcome(ex.Attempt, report);
            while (_outcomeOrder.Count > RememberedOutcomes) _outcomes.Remove(_outcomeOrder.Dequeue());
        }
        _executions.Remove(runId);
        if (_executions.Count == 0) _tracker?.Tell(new WorkTracker.Idle(Self));
    }

    /// <summary>Where an execution is: its attempt runs (or waits for its not-before time), or it is being cancelled.</summary>
    private enum ExecutionPhase
    {
        Running,
        /// <summary>Its job actor cancelled it (the run ended): the cancellation is not reported.</summary>
        Cancelling,
        /// <summary>The node shuts down: the cancellation is reported, so the job actor records the run cancelled.</summary>
        CancellingWithReport,
    }

    private sealed class Execution(ExecuteWork work, IActorRef runner)
    {
        public ExecuteWork Work { get; } = work;
        public int Attempt => Work.Attempt;
        public IActorRef Runner { get; } = runner;
        public ExecutionPhase Phase { get; set; } = ExecutionPhase.Running;
    }

    /// <summary>The last outcome of a run's item on this worker, and its attempt.</summary>
    private sealed record Outcome(int Attempt, object Report)
    {
        /// <summary>Whether no attempt of the item can follow it: all but a failure its handler called retryable.</summary>
        public bool Final => Report is not WorkFailed { Retryable: true };
    }

    private sealed class HeartbeatDue : IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static readonly HeartbeatDue Instance = new();
    }

    private sealed record AttemptCrashed(IActorRef Runner, Exception Cause);

    /// <summary>Stops a crashed runner and tells the worker which one it was (the plain decider is not told).</summary>
    private sealed class ReportCrashedAttempt(IActorRef worker) : OneForOneStrategy(_ => Directive.Stop, loggingEnabled: false)
    {
        public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause,
            Akka.Actor.Internal.ChildRestartStats stats, IReadOnlyCollection<Akka.Actor.Internal.ChildRestartStats> children)
        {
            worker.Tell(new AttemptCrashed(child, cause));
            base.ProcessFailure(context, restart, child, cause, stats, children);
        }
    }
}

/// <summary>Cancels every execution of a worker, reporting each as cancelled (node shutdown).</summary>
public sealed record CancelAllWork(string Reason);
