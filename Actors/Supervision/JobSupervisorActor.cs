using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Actors.Protocol;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Persistence;

namespace Akka.Jobs.Actors.Supervision;

/// <summary>
/// Single writer of one job's runs (persistence id <c>job-{jobId}</c>). Acknowledges a tick only
/// after its decision is persisted; drops ticks for times already decided; dispatches work items,
/// enforces the run timeout and resumes or interrupts runs in flight after a crash.
/// </summary>
public sealed class JobSupervisorActor : ReceivePersistentActor, IWithTimers
{
    private readonly string _jobId;
    private readonly IActorRef _workers;
    private readonly IActorRef _scheduler;
    private readonly IActorRef? _mediator;
    private readonly TimeProvider _clock;
    private readonly JobsSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(string RunId, string Item), WorkLease> _inFlight = [];
    private JobState _state;

    public JobSupervisorActor(string jobId, IActorRef workers, IActorRef scheduler, IActorRef? mediator, TimeProvider clock, JobsSettings settings)
    {
        _jobId = jobId;
        _workers = workers;
        _scheduler = scheduler;
        _mediator = mediator;
        _clock = clock;
        _settings = settings;
        _state = JobState.Empty(jobId);

        Recover<SnapshotOffer>(o => { if (o.Snapshot is JobState s) _state = s; });
        Recover<IJobEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<Tick>(OnTick);
        Command<WakeJob>(w =>
        {
            if (!JobState.SameDefinition(_state.Definition, w.Definition) && !_state.Retired) PersistAndApply([new DefinitionAdopted(_jobId, w.Definition)]);
            // The scheduler may still count this job as busy (e.g. its runs ended while it failed over).
            else if (_state.Active.IsEmpty) Sender.Tell(new JobIdle(_jobId, LastSequenceNr));
        });
        Command<RetireJob>(_ => PersistAndApply(_state.DecideRetire(Now)));
        Command<WorkStarted>(w => Heard(w.RunId, w.ItemKey, w.Attempt, w.Node));
        Command<WorkHeartbeat>(w => Heard(w.RunId, w.ItemKey, w.Attempt, w.Node));
        Command<WorkSucceeded>(w => PersistAndApply(_state.DecideSucceeded(w)));
        Command<WorkFailed>(w =>
        {
            Heard(w.RunId, w.ItemKey, w.Attempt, w.Node);
            PersistAndApply(_state.DecideFailed(w));
        });
        Command<LeaseCheck>(_ => ExpireLeases());
        Command<ReceiveTimeout>(_ =>
        {
            // Idle jobs leave memory; a job with runs in flight stays to watch them.
            if (_state.Active.IsEmpty) Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
        });
        Command<WorkCancelled>(w =>
        {
            _inFlight.Remove((w.RunId, w.ItemKey));
            PersistAndApply(_state.DecideCancelled(w, "cancelled: node shutting down"));
        });
        Command<RunDeadline>(d => PersistAndApply(_state.DecideTimeout(d.RunId, Now)));
        Command<ListRuns>(q => Sender.Tell(new ListRunsResult(_jobId,
            _state.Runs(Math.Clamp(q.Limit, 1, JobState.HistoryLimit), q.Status).Select(WithLiveAttempt).ToList())));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Snapshot of job {0} failed", _jobId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId => $"job-{_jobId}";

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    public static Props Props(string jobId, IActorRef workers, IActorRef scheduler, IActorRef? mediator, TimeProvider clock, JobsSettings settings) =>
        Akka.Actor.Props.Create(() => new JobSupervisorActor(jobId, workers, scheduler, mediator, clock, settings));

    private void OnRecovered()
    {
        Context.SetReceiveTimeout(_settings.PassivateIdleAfter);
        // Nothing of a run's dispatch survives a restart: whatever was running is resumed or interrupted.
        var events = _state.DecideRecovery(Now);
        if (events.Count > 0) PersistAndApply(events);
        foreach (var run in _state.Running) ArmDeadline(run);
    }

    private void OnTick(Tick tick)
    {
        var replyTo = Sender;
        var events = _state.DecideTick(tick, Now);
        if (events.Count == 0)
        {
            var spans = tick.SkippedThroughUtc is { } through ? _state.DecidedWithin(tick.ScheduledUtc, through) : null;
            replyTo.Tell(new TickAck(_jobId, tick.ScheduledUtc, tick.RunId, Duplicate: true, spans, !_state.Active.IsEmpty, LastSequenceNr));
            return;
        }
        PersistAndApply(events, () => replyTo.Tell(new TickAck(_jobId, tick.ScheduledUtc, tick.RunId, Duplicate: false, null, !_state.Active.IsEmpty, LastSequenceNr)));
    }

    private void PersistAndApply(IReadOnlyList<IJobEvent> events, Action? afterAll = null)
    {
        if (events.Count == 0)
        {
            afterAll?.Invoke();
            return;
        }
        var remaining = events.Count;
        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            React(e);
            if (--remaining == 0)
            {
                afterAll?.Invoke();
                if (LastSequenceNr % _settings.SnapshotEvery == 0) SaveSnapshot(_state);
            }
        });
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
                _inFlight.Remove((s.RunId, s.ItemKey));
                Dispatch(s.RunId);
                break;
            case AttemptFailed { WillRetry: false } f:
                _inFlight.Remove((f.RunId, f.ItemKey));
                Dispatch(f.RunId);
                break;
            case AttemptFailed f:
                _log.Info("Attempt failed job={0} run={1} item={2} attempt={3} error={4}; retrying", _jobId, f.RunId, f.ItemKey, f.Attempt, f.Error);
                if (_inFlight.TryGetValue((f.RunId, f.ItemKey), out var lease))
                {
                    // The failure is recorded: the worker may run the next attempt. Its number is handed out
                    // here only, so an attempt number is never used twice, even across fail-overs.
                    var next = Math.Max(lease.Attempt, f.Attempt) + 1;
                    _inFlight[(f.RunId, f.ItemKey)] = lease with { Attempt = next, LastHeardUtc = Now };
                    _workers.Tell(new RetryGranted(_jobId, f.RunId, f.ItemKey, next));
                }
                else Dispatch(f.RunId); // a lost worker retries nothing: the item is dispatched again from here
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
        ArmDeadline(run);
        Dispatch(runId);
        Publish(runId);
    }

    private void OnRunFinished(RunFinished f)
    {
        Timers.Cancel(DeadlineKey(f.RunId));
        foreach (var key in _inFlight.Keys.Where(k => k.RunId == f.RunId).ToList())
        {
            _workers.Tell(new CancelWork(_jobId, f.RunId, key.Item, f.Reason ?? f.Status.ToString()));
            _inFlight.Remove(key);
        }
        var view = _state.History.LastOrDefault(h => h.RunId == f.RunId);
        var duration = view?.StartedUtc is { } started ? f.FinishedUtc - started : TimeSpan.Zero;
        _log.Info("Run finished job={0} run={1} outcome={2} attempts={3} duration={4:F3}s{5}",
            _jobId, f.RunId, f.Status.ToString().ToLowerInvariant(), view?.Attempts ?? 0, duration.TotalSeconds,
            f.Reason is null ? "" : $" reason={f.Reason}");
        Publish(f.RunId);

        if (_state.Active.IsEmpty) _scheduler.Tell(new JobIdle(_jobId, LastSequenceNr));

        var def = _state.Definition;
        var failures = _state.ConsecutiveFailures;
        if (def is null || failures == 0) return;
        if (def.AlertAfter > 0 && failures == def.AlertAfter)
            _log.Warning("ALERT job={0} has failed {1} runs in a row", _jobId, failures);
        if (def.PauseAfter > 0 && failures == def.PauseAfter)
            _scheduler.Tell(new AutoPauseJob(_jobId, failures));
    }

    private void Dispatch(string runId)
    {
        if (!_state.Active.TryGetValue(runId, out var run) || run.Queued || _state.Definition is not { } def) return;
        var inFlight = _inFlight.Keys.Count(k => k.RunId == runId);
        var deadline = (run.StartedUtc ?? Now) + def.Timeout;
        foreach (var item in run.OpenItems.Where(i => !_inFlight.ContainsKey((runId, i.Key))).Take(Math.Max(0, def.MaxParallel - inFlight)).ToList())
        {
            var next = item.Attempt + 1;
            if (next > def.Retry.MaxAttempts)
            {
                // Interruptions used up the attempts: the item fails rather than running past its budget.
                var now = Now;
                Self.Tell(new WorkFailed(_jobId, runId, item.Key, item.Attempt, "-", now, now, "interrupted",
                    "interrupted: no attempts left after its node stopped", false, null));
                continue;
            }
            _inFlight[(runId, item.Key)] = new WorkLease(next, Now, null);
            _workers.Tell(new ExecuteWork(_jobId, runId, item.Key, next, run.ScheduledUtc, deadline, def));
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
        var live = _inFlight.Where(kv => kv.Key.RunId == view.RunId && kv.Value.Node is not null).Select(kv => kv.Value).ToList();
        return live.Count == 0 ? view : view with { Attempts = Math.Max(view.Attempts, live.Max(w => w.Attempt)), Node = live[^1].Node };
    }

    private void Publish(string runId)
    {
        if (_mediator is null) return;
        var view = _state.Active.TryGetValue(runId, out var run) ? run.ToView(_jobId) : _state.History.LastOrDefault(h => h.RunId == runId);
        if (view is null) return;
        view = WithLiveAttempt(view);
        _mediator.Tell(new Akka.Cluster.Tools.PublishSubscribe.Publish(RunTopics.Runs, new RunStatusChanged(view)));
    }

    private static string DeadlineKey(string runId) => "deadline:" + runId;

    private void Heard(string runId, string item, int attempt, string node)
    {
        if (_inFlight.TryGetValue((runId, item), out var lease))
            _inFlight[(runId, item)] = lease with { Attempt = Math.Max(lease.Attempt, attempt), LastHeardUtc = Now, Node = node };
    }

    /// <summary>
    /// An item whose worker has not been heard of for a whole lease is presumed lost with its node:
    /// the attempt is recorded as failed (kind <c>lost</c>) and the item dispatched again.
    /// </summary>
    private void ExpireLeases()
    {
        if (_inFlight.Count == 0)
        {
            Timers.Cancel("lease-check");
            return;
        }
        var now = Now;
        // Dispatched but never started: the message may have gone to a shard home that just died.
        // Sending it again is safe: a worker ignores work for a run it already has.
        foreach (var ((runId, item), lease) in _inFlight.Where(kv => kv.Value.Node is null && now - kv.Value.LastHeardUtc >= 2 * _settings.HeartbeatInterval).ToList())
        {
            if (!_state.Active.TryGetValue(runId, out var run) || _state.Definition is not { } def) continue;
            _inFlight[(runId, item)] = lease with { LastHeardUtc = now };
            _workers.Tell(new ExecuteWork(_jobId, runId, item, lease.Attempt, run.ScheduledUtc, (run.StartedUtc ?? now) + def.Timeout, def));
        }
        foreach (var ((runId, item), lease) in _inFlight.Where(kv => kv.Value.Node is not null && now - kv.Value.LastHeardUtc > _settings.WorkLease).ToList())
        {
            _inFlight.Remove((runId, item));
            var retry = lease.Attempt < (_state.Definition?.Retry.MaxAttempts ?? 1);
            _log.Warning("Work lost job={0} run={1} item={2} attempt={3} node={4}: no heartbeat for {5}", _jobId, runId, item, lease.Attempt, lease.Node ?? "?", _settings.WorkLease);
            PersistAndApply(_state.DecideFailed(new WorkFailed(_jobId, runId, item, lease.Attempt, lease.Node ?? "?", lease.LastHeardUtc, now,
                "lost", $"no heartbeat from its worker for {_settings.WorkLease}", retry, retry ? now : null)));
        }
    }

    /// <summary>What the supervisor knows of an item in flight; not persisted (a restart resumes or interrupts).</summary>
    private sealed record WorkLease(int Attempt, DateTimeOffset LastHeardUtc, string? Node);

    private sealed class LeaseCheck : IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static readonly LeaseCheck Instance = new();
    }

    private sealed record RunDeadline(string RunId) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;
}
