using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Domain.Protocol;
using Akka.Persistence;

namespace Akka.Jobs.Actors.Jobs;

/// <summary>
/// The actor of one job (sharded, persistence id <c>job-{jobId}</c>): the single writer of its runs. Every decision is
/// the <see cref="JobState"/>'s; this actor persists the decided events (group commit), acknowledges a tick only once
/// its decision is durable, and carries out what the new state implies. This file: receive states, ticks, queries,
/// persistence and run start/finish; <c>JobActor.Work.cs</c>: dispatch, worker reports, retries, leases.
/// </summary>
public sealed partial class JobActor : ReceivePersistentActor, IWithTimers
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
        Command<GetRun>(HandleGetRun);
        Command<CancelRun>(HandleCancelRun);
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
            _pending.AfterWritten(() => replyTo.Tell(new JobIdle(_jobId, LastSequenceNr, _state.ConsecutiveFailures)));
        }
    }

    private void HandleTick(Tick tick) => DecideTick(tick, Sender);

    private void HandleTickDue(TickDue due)
    {
        _waiting.Remove(due.Tick.ScheduledUtc);
        DecideTick(due.Tick, due.ReplyTo);
    }

    private void HandleRetireJob(RetireJob r) => PersistAndApply(_decided.DecideRetire(r.JobCreatedUtc, Now));

    private void HandleFlushPending(FlushPending _) => Flush();

    private void HandleListRuns(ListRuns q)
    {
        var current = _state.CurrentIncarnationFor(q.JobCreatedUtc);
        Sender.Tell(new ListRunsResult(_jobId,
            _state.Runs(Math.Clamp(q.Limit, 1, JobState.HistoryLimit), q.Status, q.Incarnation ?? current)
                .Select(r => WithoutAttempts(WithLiveAttempt(r))).ToList(), current));
    }

    private void HandleGetRun(GetRun q)
    {
        var run = _state.FindRun(q.RunId) is { } view ? WithLiveAttempt(view) : null;
        Sender.Tell(new GetRunResult(_jobId, run, run is null ? [] : JobState.AttemptsOf(run), _state.CurrentIncarnationFor(q.JobCreatedUtc)));
    }

    /// <summary>An operator's cancel: the run ends cancelled (its attempts are cancelled when that is written), then the ack.</summary>
    private void HandleCancelRun(CancelRun c)
    {
        var (events, refused) = _decided.DecideCancelRun(c.RunId, c.By ?? "operator", Now, c.Tenants);
        if (refused is { } kind)
        {
            var error = kind switch
            {
                RejectionKind.NotFound => new ValidationError("runId", $"job '{_jobId}' has no run '{c.RunId}'"),
                RejectionKind.Conflict => new ValidationError("runId", $"run '{c.RunId}' has already ended"),
                _ => OperatorDecisions.ByError(c.By)!,
            };
            Sender.Tell(new CommandRejected(_jobId, kind, [error]));
            return;
        }
        var replyTo = Sender;
        PersistAndApply(events, () => replyTo.Tell(new CommandAck(_jobId, RunId: c.RunId)));
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
                !_state.Active.IsEmpty, LastSequenceNr, JobCreatedUtc: tick.JobCreatedUtc, Failures: _state.ConsecutiveFailures)));
            return;
        }
        PersistAndApply(events, () => replyTo.Tell(new TickAck(_jobId, tick.ScheduledUtc, _state.RunIdFor(tick.ScheduledUtc), Duplicate: false, null,
            !_state.Active.IsEmpty, LastSequenceNr, JobCreatedUtc: tick.JobCreatedUtc, Failures: _state.ConsecutiveFailures)));
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
                Publish(a.RunId, RunEvents.Queued);
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
                Publish(f.RunId, RunEvents.AttemptFailed, f.Attempt, f.Error);
                Recorded(f.RunId, f.ItemKey);
                Dispatch(f.RunId);
                break;
            case AttemptFailed f:
                _log.Info("Attempt failed job={0} run={1} item={2} attempt={3} error={4}; retrying", _jobId, f.RunId, f.ItemKey, f.Attempt, f.Error);
                Publish(f.RunId, RunEvents.AttemptFailed, f.Attempt, f.Error);
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
                Publish(s.RunId, RunEvents.Skipped);
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
        Publish(runId, RunEvents.Started);
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
        Publish(f.RunId, RunEvents.For(f.Status));

        if (_state.Active.IsEmpty) _scheduler.Tell(new JobIdle(_jobId, LastSequenceNr, _state.ConsecutiveFailures));

        var (alert, pause) = _state.Escalation;
        if (alert) _log.Warning("ALERT job={0} has failed {1} runs in a row", _jobId, _state.ConsecutiveFailures);
        if (pause) _scheduler.Tell(new AutoPauseJob(_jobId, _state.ConsecutiveFailures, _state.IncarnationCreatedUtc));
    }

    /// <summary>One run lifecycle event, to the all-jobs topic and to this job's topic (one payload for both).</summary>
    private void Publish(string runId, string @event, int? attempt = null, string? error = null)
    {
        if (_mediator is null) return;
        var view = _state.Active.TryGetValue(runId, out var run) ? run.ToView(_jobId, _state.Incarnation) : _state.History.LastOrDefault(h => h.RunId == runId);
        if (view is null) return;
        var changed = new RunStatusChanged(WithoutAttempts(WithLiveAttempt(view)), @event, attempt, error);
        _mediator.Tell(new Akka.Cluster.Tools.PublishSubscribe.Publish(RunTopics.Runs, changed));
        _mediator.Tell(new Akka.Cluster.Tools.PublishSubscribe.Publish(_jobTopic ??= RunTopics.ForJob(_jobId), changed));
    }

    private string? _jobTopic;

    /// <summary>Run lists and events leave the failed attempts out (GetRun has them); most runs have none to leave.</summary>
    private static RunView WithoutAttempts(RunView view) => view.FailedAttempts is null ? view : view with { FailedAttempts = null };

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
