using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Domain.Protocol;
using Akka.Persistence;

namespace Akka.Jobs.Actors.Jobs;

/// <summary>
/// Single writer of one job's runs (persistence id <c>job-{jobId}</c>). Acknowledges a tick only
/// after its decision is persisted; drops ticks for times already decided; dispatches work items,
/// enforces the run timeout and resumes or interrupts runs in flight after a crash.
/// </summary>
public sealed class JobActor : ReceivePersistentActor, IWithTimers
{
    private readonly string _jobId;
    private readonly IActorRef _workers;
    private readonly IActorRef _scheduler;
    private readonly IActorRef? _mediator;
    private readonly TimeProvider _clock;
    private readonly JobsSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly InFlightWork _inFlight = new();
    private readonly PendingEvents _pending = new();
    /// <summary>Scheduled times of ticks that came ahead and wait for their time before being decided.</summary>
    private readonly SortedSet<DateTimeOffset> _waiting = [];
    /// <summary>What the journal holds; effects (dispatch, replies, queries) read this.</summary>
    private JobState _state;
    /// <summary>
    /// Snapshot interval of this incarnation, snapshot-every plus up to as much again at random: jobs
    /// registered together (e.g. 1,000 every-second jobs) would otherwise all write their snapshot in
    /// the same second, and that burst delayed the runs due in it.
    /// </summary>
    private readonly int _snapshotEvery;
    /// <summary><see cref="_state"/> plus the pending events; decisions read this.</summary>
    private JobState _decided;
    private bool _flushScheduled;
    private int _sinceSnapshot;
    private JobDefinition? _workDefinitionOf;
    private JobDefinition? _workDefinition;
    /// <summary>The retry jitter's source; decisions take it as an input, so tests pass a seeded one.</summary>
    private readonly Random _random = Random.Shared;

    public JobActor(string jobId, IActorRef workers, IActorRef scheduler, IActorRef? mediator, TimeProvider clock, JobsSettings settings)
    {
        _jobId = jobId;
        _workers = workers;
        _scheduler = scheduler;
        _mediator = mediator;
        _clock = clock;
        _settings = settings;
        _snapshotEvery = settings.SnapshotEvery + Random.Shared.Next(Math.Max(1, settings.SnapshotEvery));
        _state = JobState.Empty(jobId);
        _decided = _state;

        Recover<SnapshotOffer>(RecoverSnapshot);
        Recover<IJobEvent>(RecoverEvent);
        Recover<RecoveryCompleted>(HandleRecoveryCompleted);
        Serving();
    }

    /// <summary>The actor's life after recovery: every command it serves, one named handler each.</summary>
    private void Serving()
    {
        Command<Tick>(HandleTick);
        Command<TickDue>(HandleTickDue);
        Command<WakeJob>(HandleWakeJob);
        Command<RetireJob>(HandleRetireJob);
        Command<NodeRemoved>(HandleNodeRemoved);
        Command<WorkStarted>(HandleWorkStarted);
        Command<WorkHeartbeat>(HandleWorkHeartbeat);
        Command<WorkSucceeded>(HandleWorkSucceeded);
        Command<WorkFailed>(HandleWorkFailed);
        Command<WorkTimedOut>(HandleWorkTimedOut);
        Command<WorkCancelled>(HandleWorkCancelled);
        Command<RunDeadline>(HandleRunDeadline);
        Command<LeaseCheck>(HandleLeaseCheck);
        Command<FlushPending>(HandleFlushPending);
        Command<ListRuns>(HandleListRuns);
        Command<ReceiveTimeout>(HandleReceiveTimeout);
        Command<StopIdle>(HandleStopIdle);
        SnapshotHousekeeping();
    }

    /// <summary>
    /// Passivation's stop came while decided events wait to be written (a plain stop would drop them): only the
    /// flush runs, and the actor stops once nothing is pending. Nothing but its own timers reaches it now (the shard
    /// buffers messages for a passivating entity), and those are stashed and dropped with it.
    /// </summary>
    private void StoppingAfterFlush()
    {
        Command<FlushPending>(HandleFlushPendingThenStop);
        SnapshotHousekeeping();
        CommandAny(_ => Stash.Stash());
    }

    private void StopIfNothingPending()
    {
        if (_pending.IsEmpty && !_flushScheduled) Context.Stop(Self);
    }

    private void SnapshotHousekeeping()
    {
        Command<SaveSnapshotSuccess>(HandleSaveSnapshotSuccess);
        Command<SaveSnapshotFailure>(HandleSaveSnapshotFailure);
        Command<DeleteSnapshotsSuccess>(_ => { }); // older snapshots are gone: nothing to do
        Command<DeleteSnapshotsFailure>(_ => { }); // the next successful snapshot deletes them
    }

    private void HandleFlushPendingThenStop(FlushPending _) => Flush(whenWritten: StopIfNothingPending);

    private void HandleSaveSnapshotSuccess(SaveSnapshotSuccess s) => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));

    private void HandleSaveSnapshotFailure(SaveSnapshotFailure f) => _log.Warning(f.Cause, "Snapshot of job {0} failed", _jobId);

    public override string PersistenceId => $"job-{_jobId}";

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    public static Props Props(string jobId, IActorRef workers, IActorRef scheduler, IActorRef? mediator, TimeProvider clock, JobsSettings settings) =>
        ActorProps.Of(() => new JobActor(jobId, workers, scheduler, mediator, clock, settings));

    private void RecoverSnapshot(SnapshotOffer offer)
    {
        if (offer.Snapshot is not JobState snapshot) return;
        _state = snapshot;
        _sinceSnapshot = 0;
    }

    private void RecoverEvent(IJobEvent e)
    {
        _state = _state.Apply(e);
        _sinceSnapshot++;
    }

    private void HandleRecoveryCompleted(RecoveryCompleted _)
    {
        _decided = _state;
        Context.SetReceiveTimeout(_settings.PassivateIdleAfter);
        // Nothing of a run's dispatch survives a restart: whatever was running is resumed or interrupted.
        var events = _decided.DecideRecovery(Now);
        if (events.Count > 0) PersistAndApply(events);
        foreach (var run in _state.Running) ArmDeadline(run);
    }

    private void HandleWakeJob(WakeJob w)
    {
        var events = _decided.DecideWake(w.Definition, w.JobCreatedUtc, Now);
        if (events.Count > 0) PersistAndApply(events);
        // The scheduler may still count this job as busy (e.g. its runs ended while it failed over).
        else if (_decided.Active.IsEmpty)
        {
            var replyTo = Sender;
            _pending.AfterWritten(() => replyTo.Tell(new JobIdle(_jobId, LastSequenceNr)));
        }
    }

    private void HandleTick(Tick tick) => DecideTick(tick, Sender);

    private void HandleTickDue(TickDue due)
    {
        _waiting.Remove(due.Tick.ScheduledUtc);
        DecideTick(due.Tick, due.ReplyTo);
    }

    private void HandleRetireJob(RetireJob r) => PersistAndApply(_decided.DecideRetire(r.JobCreatedUtc, Now));

    private void HandleWorkStarted(WorkStarted w) => Heard(w.RunId, w.ItemKey, w.Attempt, w.Node);

    private void HandleWorkHeartbeat(WorkHeartbeat w) => Heard(w.RunId, w.ItemKey, w.Attempt, w.Node);

    private void HandleWorkSucceeded(WorkSucceeded w) => PersistAndApply(_decided.DecideSucceeded(w));

    /// <summary>The decision (retry or final) reads the highest attempt number handed out for the item.</summary>
    private void HandleWorkFailed(WorkFailed w)
    {
        Heard(w.RunId, w.ItemKey, w.Attempt, w.Node);
        var handedOut = _inFlight.TryGet(w.RunId, w.ItemKey, out var lease) ? lease.Attempt : w.Attempt;
        PersistAndApply(_decided.DecideFailed(w, handedOut, Now, _random));
    }

    private void HandleWorkTimedOut(WorkTimedOut w) => PersistAndApply(_decided.DecideTimedOut(w));

    private void HandleWorkCancelled(WorkCancelled w)
    {
        _inFlight.Remove(w.RunId, w.ItemKey);
        PersistAndApply(_decided.DecideCancelled(w, "cancelled: node shutting down"));
    }

    private void HandleRunDeadline(RunDeadline d) => PersistAndApply(_decided.DecideTimeout(d.RunId, Now));

    private void HandleFlushPending(FlushPending _) => Flush();

    private void HandleListRuns(ListRuns q)
    {
        var current = _state.CurrentIncarnationFor(q.JobCreatedUtc);
        Sender.Tell(new ListRunsResult(_jobId,
            _state.Runs(Math.Clamp(q.Limit, 1, JobState.HistoryLimit), q.Status, q.Incarnation ?? current).Select(WithLiveAttempt).ToList(), current));
    }

    /// <summary>Idle jobs leave memory; a job with runs in flight stays to watch them.</summary>
    private void HandleReceiveTimeout(ReceiveTimeout _)
    {
        if (_decided.Active.IsEmpty) Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(StopIdle.Instance));
    }

    private void HandleStopIdle(StopIdle _)
    {
        if (!_flushScheduled && _pending.IsEmpty) Context.Stop(Self);
        else Become(StoppingAfterFlush);
    }

    private void DecideTick(Tick tick, IActorRef replyTo)
    {
        if (_decided.IsRefused(tick))
        {
            // A removed incarnation's tick (e.g. a trigger re-sent after the job was deleted): nothing is recorded, and
            // the scheduler must not report a run that will never exist, unless an earlier incarnation already ran it.
            var earlier = _decided.EarlierTriggerRecord(tick)?.RunId;
            _pending.AfterWritten(() => replyTo.Tell(new TickAck(_jobId, tick.ScheduledUtc, earlier ?? _state.RunIdFor(tick.ScheduledUtc),
                Duplicate: earlier is not null, Busy: !_state.Active.IsEmpty, Seq: LastSequenceNr, Stale: earlier is null, JobCreatedUtc: tick.JobCreatedUtc)));
            return;
        }
        // Times are decided in order: one prepared ahead waits while an earlier time waits for its own.
        var afterWaiting = _waiting.Count > 0 && _waiting.Min < tick.ScheduledUtc && tick.Trigger == TriggerKind.Scheduled && tick.ScheduledUtc > Now;
        if (afterWaiting || _decided.MustWaitForTime(tick, Now))
        {
            _waiting.Add(tick.ScheduledUtc);
            Timers.StartSingleTimer(WaitingKey(tick.ScheduledUtc), new TickDue(tick, replyTo), tick.ScheduledUtc - Now);
            return;
        }
        var events = _decided.DecideTick(tick, Now);
        if (events.Count == 0)
        {
            var spans = tick.SkippedThroughUtc is { } through ? _decided.DecidedWithin(tick.ScheduledUtc, through) : null;
            // The decision it duplicates may still be pending: acknowledge only once it is durable.
            _pending.AfterWritten(() => replyTo.Tell(new TickAck(_jobId, tick.ScheduledUtc, _state.RunIdFor(tick.ScheduledUtc), Duplicate: true, spans,
                !_state.Active.IsEmpty, LastSequenceNr, JobCreatedUtc: tick.JobCreatedUtc)));
            return;
        }
        PersistAndApply(events, () => replyTo.Tell(new TickAck(_jobId, tick.ScheduledUtc, _state.RunIdFor(tick.ScheduledUtc), Duplicate: false, null,
            !_state.Active.IsEmpty, LastSequenceNr, JobCreatedUtc: tick.JobCreatedUtc)));
    }

    /// <summary>
    /// Takes decided events into the next batch; <paramref name="afterAll"/> runs once they are written. The
    /// batch is written when the flush message comes round, i.e. after every command already in the mailbox
    /// (or stashed during the previous write) had its turn: that is the group commit.
    /// </summary>
    private void PersistAndApply(IReadOnlyList<IJobEvent> events, Action? afterAll = null)
    {
        foreach (var e in events) _decided = _decided.Apply(e);
        _pending.Add(events);
        if (afterAll is not null) _pending.AfterWritten(afterAll);
        if (_pending.IsEmpty || _flushScheduled) return;
        _flushScheduled = true;
        Self.Tell(FlushPending.Instance);
    }

    /// <summary>Writes the pending batch; <paramref name="whenWritten"/> runs after its last event is applied (at once when nothing is pending).</summary>
    private void Flush(Action? whenWritten = null)
    {
        _flushScheduled = false;
        if (_pending.IsEmpty)
        {
            whenWritten?.Invoke();
            return;
        }
        var batch = _pending.TakeBatch();
        var applied = 0;
        // PersistAll stashes commands until every callback ran, so nothing is decided while the batch is written.
        PersistAll(batch, e =>
        {
            _state = _state.Apply(e);
            _sinceSnapshot++;
            React(e);
            _pending.Written(++applied);
            if (applied < batch.Count) return;
            if (_state.SnapshotDue(_sinceSnapshot, _snapshotEvery))
            {
                SaveSnapshot(_state);
                _sinceSnapshot = 0;
            }
            whenWritten?.Invoke();
        });
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The whole batch is void: decide from what the journal holds, and let senders re-send. A passivation waiting
        // for this batch stops on the next flush, which finds nothing pending.
        _decided = _state;
        _pending.Rejected();
        Self.Tell(FlushPending.Instance);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <summary>Side effects of an applied event: dispatch, cancel, timers, logs, publication.</summary>
    private void React(IJobEvent e)
    {
        switch (e)
        {
            case RunAccepted { Queued: false } a:
                OnRunStarted(a.RunId, 1);
                break;
            case RunAccepted a:
                Publish(a.RunId);
                break;
            case RunStarted s:
                OnRunStarted(s.RunId, 1);
                break;
            case RunResumed r:
                _log.Info("Run resumed job={0} run={1} after its node stopped", _jobId, r.RunId);
                OnRunStarted(r.RunId, null);
                break;
            case ItemSucceeded s:
                Recorded(s.RunId, s.ItemKey);
                Dispatch(s.RunId);
                break;
            case AttemptFailed { WillRetry: false } f:
                Recorded(f.RunId, f.ItemKey);
                Dispatch(f.RunId);
                break;
            case AttemptFailed f:
                _log.Info("Attempt failed job={0} run={1} item={2} attempt={3} error={4}; retrying", _jobId, f.RunId, f.ItemKey, f.Attempt, f.Error);
                Retry(f);
                break;
            case JobIncarnated i when i.Incarnation > 1:
                _log.Info("Job {0} incarnation {1} started (created {2:O})", _jobId, i.Incarnation, i.JobCreatedUtc);
                ForgetWaitingTicks();
                break;
            case JobRetired:
                ForgetWaitingTicks();
                break;
            case RunSkipped s:
                _log.Info("Run skipped job={0} run={1} reason={2}", _jobId, s.RunId, s.Reason);
                Publish(s.RunId);
                break;
            case RunFinished f:
                OnRunFinished(f);
                break;
        }
    }

    private void OnRunStarted(string runId, int? attempt)
    {
        if (!_state.Active.TryGetValue(runId, out var run)) return;
        _log.Info("Run started job={0} run={1} attempt={2} trigger={3}", _jobId, runId, attempt ?? run.Attempts + 1, run.Trigger);
        _inFlight.Start(runId, run.OpenItems.Select(i => i.Key));
        ArmDeadline(run);
        Dispatch(runId);
        Publish(runId);
    }

    private void OnRunFinished(RunFinished f)
    {
        Timers.Cancel(DeadlineKey(f.RunId));
        foreach (var item in _inFlight.Finish(f.RunId))
            _workers.Tell(new CancelWork(_jobId, f.RunId, item, f.Reason ?? f.Status.ToString()));
        var view = _state.History.LastOrDefault(h => h.RunId == f.RunId);
        var duration = view?.StartedUtc is { } started ? f.FinishedUtc - started : TimeSpan.Zero;
        _log.Info("Run finished job={0} run={1} outcome={2} attempts={3} duration={4:F3}s{5}",
            _jobId, f.RunId, f.Status.ToString().ToLowerInvariant(), view?.Attempts ?? 0, duration.TotalSeconds,
            f.Reason is null ? "" : $" reason={f.Reason}");
        Publish(f.RunId);

        if (_state.Active.IsEmpty) _scheduler.Tell(new JobIdle(_jobId, LastSequenceNr));

        var (alert, pause) = _state.Escalation;
        if (alert) _log.Warning("ALERT job={0} has failed {1} runs in a row", _jobId, _state.ConsecutiveFailures);
        if (pause) _scheduler.Tell(new AutoPauseJob(_jobId, _state.ConsecutiveFailures, _state.IncarnationCreatedUtc));
    }

    /// <summary>
    /// Carries out a recorded retry decision: the attempt number and not-before instant come from the event. The
    /// item keeps its place among those in flight while it waits; a lost item is dispatched again from the queue.
    /// </summary>
    private void Retry(AttemptFailed f)
    {
        if (!_state.Active.TryGetValue(f.RunId, out var run) || run.Queued || _state.Definition is not { } def) return;
        if (!_inFlight.TryGet(f.RunId, f.ItemKey, out var lease))
        {
            _inFlight.Requeue(f.RunId, f.ItemKey);
            Dispatch(f.RunId);
            return;
        }
        var attempt = f.NextAttempt ?? run.Items[f.ItemKey].Attempt + 1;
        // Not before the backoff, nor before the run's own time (a run prepared ahead whose attempt failed early).
        var notBefore = Later(f.RetryNotBeforeUtc, run.StartedUtc) is { } t && t > Now ? t : (DateTimeOffset?)null;
        // No node until the worker confirms: a retry that does not reach its worker is sent again, as a first dispatch is.
        _inFlight.Set(f.RunId, f.ItemKey, lease with { Attempt = attempt, LastHeardUtc = Now, Node = null, NotBeforeUtc = notBefore });
        _workers.Tell(new ExecuteWork(_jobId, f.RunId, f.ItemKey, attempt, run.ScheduledUtc, Deadline(run, def), WorkDefinition(def), notBefore));
    }

    private DateTimeOffset Deadline(RunState run, JobDefinition def) => (run.StartedUtc ?? Now) + def.Timeout;

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>Dispatches waiting items of the run until max-parallel are in flight; O(1) per item dispatched.</summary>
    private void Dispatch(string runId)
    {
        if (!_state.Active.TryGetValue(runId, out var run) || run.Queued || _state.Definition is not { } def) return;
        var deadline = Deadline(run, def);
        // A run prepared ahead starts at its scheduled time: its worker waits for it.
        var notBefore = run.StartedUtc > Now ? run.StartedUtc : null;
        while (_inFlight.TryNext(runId, def.MaxParallel, k => !run.Items[k].Done, out var key))
        {
            var next = run.Items[key].Attempt + 1;
            _inFlight.Set(runId, key, new WorkLease(next, Now, null, notBefore));
            _workers.Tell(new ExecuteWork(_jobId, runId, key, next, run.ScheduledUtc, deadline, WorkDefinition(def), notBefore));
            if (!Timers.IsTimerActive("lease-check"))
                Timers.StartPeriodicTimer("lease-check", LeaseCheck.Instance, _settings.HeartbeatInterval);
        }
    }

    private void ArmDeadline(RunState run)
    {
        if (_state.Definition is not { } def || run.StartedUtc is not { } started) return;
        var due = started + def.Timeout - Now;
        Timers.StartSingleTimer(DeadlineKey(run.RunId), new RunDeadline(run.RunId), due > TimeSpan.Zero ? due : TimeSpan.Zero);
    }

    /// <summary>A running run shows the attempt in progress and its node, which are not persisted until the outcome.</summary>
    private RunView WithLiveAttempt(RunView view)
    {
        if (view.Status != RunStatus.Running) return view;
        var live = _inFlight.Of(view.RunId).Values.Where(l => l.Node is not null).ToList();
        return live.Count == 0 ? view : view with { Attempts = Math.Max(view.Attempts, live.Max(w => w.Attempt)), Node = live[^1].Node };
    }

    private void Publish(string runId)
    {
        if (_mediator is null) return;
        var view = _state.Active.TryGetValue(runId, out var run) ? run.ToView(_jobId, _state.Incarnation) : _state.History.LastOrDefault(h => h.RunId == runId);
        if (view is null) return;
        view = WithLiveAttempt(view);
        _mediator.Tell(new Akka.Cluster.Tools.PublishSubscribe.Publish(RunTopics.Runs, new RunStatusChanged(view)));
    }

    private static string DeadlineKey(string runId) => "deadline:" + runId;

    private static string WaitingKey(DateTimeOffset scheduledUtc) => $"due:{scheduledUtc.UtcTicks}";

    /// <summary>
    /// Ticks of an ended incarnation waiting for their time would hold back a newer incarnation's times (they are
    /// decided in order); their scheduler re-sends them and is told they are stale.
    /// </summary>
    private void ForgetWaitingTicks()
    {
        foreach (var at in _waiting) Timers.Cancel(WaitingKey(at));
        _waiting.Clear();
    }

    private void Heard(string runId, string item, int attempt, string node)
    {
        // Any report shows the worker alive; only one about the attempt handed out last confirms that it arrived (a late
        // report of an earlier attempt must not stop an unconfirmed retry from being sent again).
        if (_inFlight.TryGet(runId, item, out var lease))
            _inFlight.Set(runId, item, lease with { Attempt = Math.Max(lease.Attempt, attempt), LastHeardUtc = Now, Node = attempt >= lease.Attempt ? node : lease.Node });
    }

    /// <summary>
    /// The item's outcome is durable: drop its lease and tell its worker, which no longer needs to remember
    /// the outcome and can leave memory (a 100,000-item run would otherwise keep 100,000 idle workers).
    /// </summary>
    private void Recorded(string runId, string item)
    {
        if (_inFlight.Remove(runId, item)) _workers.Tell(new WorkRecorded(_jobId, runId, item));
    }

    /// <summary>
    /// The definition as sent with each work item, without the entity list: a worker needs only its own
    /// item key, and a 100,000-entry list in every ExecuteWork would make a fan-out's traffic quadratic.
    /// </summary>
    private JobDefinition WorkDefinition(JobDefinition def)
    {
        if (!ReferenceEquals(def, _workDefinitionOf))
        {
            _workDefinitionOf = def;
            _workDefinition = def.Entities.Count == 0 ? def : def with { Entities = [] };
        }
        return _workDefinition!;
    }

    /// <summary>
    /// An item whose worker has not been heard of for a whole lease is presumed lost with its node:
    /// the attempt is recorded as failed (kind <c>lost</c>) and the item dispatched again.
    /// </summary>
    private void HandleLeaseCheck(LeaseCheck _)
    {
        if (_inFlight.Count == 0)
        {
            Timers.Cancel("lease-check");
            return;
        }
        var leases = _inFlight.All.ToList();
        var now = Now;
        // Dispatched but never started: the message may have gone to a shard home that just died.
        // Sending it again is safe: a worker ignores work for a run it already has.
        foreach (var (runId, item, lease) in leases.Where(l => l.Lease.Node is null && now - l.Lease.LastHeardUtc >= 2 * _settings.HeartbeatInterval))
        {
            if (!_state.Active.TryGetValue(runId, out var run) || _state.Definition is not { } def) continue;
            _inFlight.Set(runId, item, lease with { LastHeardUtc = now });
            _workers.Tell(new ExecuteWork(_jobId, runId, item, lease.Attempt, run.ScheduledUtc, Deadline(run, def), WorkDefinition(def), lease.NotBeforeUtc));
        }
        foreach (var (runId, item, lease) in leases.Where(l => l.Lease.Node is not null && now - l.Lease.LastHeardUtc > _settings.WorkLease))
            Lost(runId, item, lease, now, $"no heartbeat from its worker for {_settings.WorkLease}");
    }

    /// <summary>
    /// A node left the cluster (downed or crashed): its work is lost now, not a work-lease later. This
    /// matters most for runs prepared ahead, which are in flight on their worker before their time.
    /// </summary>
    private void HandleNodeRemoved(NodeRemoved removed)
    {
        var now = Now;
        foreach (var (runId, item, lease) in _inFlight.All.Where(l => l.Lease.Node == removed.Node).ToList())
            Lost(runId, item, lease, now, $"its node {removed.Node} left the cluster");
    }

    private void Lost(string runId, string item, WorkLease lease, DateTimeOffset now, string why)
    {
        _inFlight.Remove(runId, item);
        _log.Warning("Work lost job={0} run={1} item={2} attempt={3} node={4}: {5}", _jobId, runId, item, lease.Attempt, lease.Node ?? "?", why);
        PersistAndApply(_decided.DecideLost(runId, item, lease.Attempt, lease.Node, lease.LastHeardUtc, now, why));
    }

    private sealed class LeaseCheck : IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static readonly LeaseCheck Instance = new();
    }

    private sealed record RunDeadline(string RunId) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

    /// <summary>A tick prepared ahead that waited for its scheduled time before being decided.</summary>
    private sealed record TickDue(Tick Tick, IActorRef ReplyTo) : IDeadLetterSuppression;

    /// <summary>Writes the pending batch; one is in the mailbox while events are pending.</summary>
    private sealed class FlushPending : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly FlushPending Instance = new();
    }

    /// <summary>Passivation's stop message: unlike a PoisonPill it waits for pending events to be written.</summary>
    private sealed class StopIdle : IDeadLetterSuppression
    {
        public static readonly StopIdle Instance = new();
    }
}
