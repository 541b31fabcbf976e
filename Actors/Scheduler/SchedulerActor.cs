using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Schedules;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Persistence;

namespace Akka.Jobs.Actors.Scheduler;

/// <summary>
/// Cluster singleton (persistence id <c>scheduler</c>): the single writer of job definitions and
/// the source of ticks. Emits each scheduled time to the job's supervisor, re-sends it until
/// acknowledged, and checkpoints per-job watermarks that only move past acknowledged times, so a
/// successor re-emits exactly the undecided times after a fail-over.
/// </summary>
public sealed class SchedulerActor : ReceivePersistentActor, IWithTimers
{
    private readonly IActorRef _jobs;
    private readonly JobHandlerRegistry _handlers;
    private readonly TimeProvider _clock;
    private readonly JobsSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Schedule> _schedules = [];
    private readonly Dictionary<string, JobEmission> _emission = [];
    private readonly Dictionary<DateTimeOffset, PendingManual> _manual = [];
    /// <summary>Latest run-activity report per job (busy or idle, and the supervisor's journal position).</summary>
    private readonly Dictionary<string, (bool Busy, long Seq)> _reported = [];
    /// <summary>Activity changes not yet in a checkpoint: job → busy.</summary>
    private readonly Dictionary<string, bool> _activityChanges = [];
    private QuartzWakeups? _quartz;
    private SchedulerState _state = SchedulerState.Empty;
    private DateTimeOffset _lastManual = DateTimeOffset.MinValue;
    private int _sinceSnapshot;

    public SchedulerActor(IActorRef jobs, JobHandlerRegistry handlers, TimeProvider clock, JobsSettings settings)
    {
        _jobs = jobs;
        _handlers = handlers;
        _clock = clock;
        _settings = settings;

        Recover<SnapshotOffer>(o => { if (o.Snapshot is SchedulerState s) _state = s; });
        Recover<ISchedulerEvent>(e =>
        {
            _state = _state.Apply(e);
            _sinceSnapshot++;
        });
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<RegisterJob>(OnRegister);
        Command<RemoveJob>(OnRemove);
        Command<PauseJob>(p => OnPause(p.JobId, p.Reason ?? "paused by operator", Sender));
        Command<AutoPauseJob>(p =>
        {
            if (p.JobCreatedUtc is { } created && _state.Jobs.TryGetValue(p.JobId, out var job) && job.CreatedUtc != created) return;
            OnPause(p.JobId, $"paused after {p.ConsecutiveFailures} consecutive failures", ActorRefs.Nobody);
        });
        Command<ResumeJob>(OnResume);
        Command<TriggerJob>(OnTrigger);
        Command<CheckDue>(c => CheckDueJobs(c.JobId));
        Command<QuartzWakeups.Due>(d =>
        {
            if (_quartz is null) return;
            foreach (var id in _quartz.JobsOf(d.Key).ToList()) EmitDue(id);
            PrepareNext(d.Key);
        });
        Command<TickAck>(OnAck);
        Command<JobIdle>(i => Report(i.JobId, busy: false, i.Seq));
        Command<ClusterEvent.MemberRemoved>(m =>
        {
            // Supervisors on that node are gone and work there is lost: the busy jobs resume their runs
            // elsewhere now, not at their next due time or after a work lease. Only they can hold work.
            var node = m.Member.Address.ToString();
            var busy = BusyJobs().ToList();
            _log.Info("Node {0} removed: telling {1} jobs with runs in flight", node, busy.Count);
            foreach (var id in busy) _jobs.Tell(new NodeRemoved(id, node));
        });
        Command<ResendDue>(_ => Resend());
        Command<CheckpointDue>(_ => Checkpoint());
        Command<GetJob>(q => Sender.Tell(new GetJobResult(q.JobId, _state.Jobs.TryGetValue(q.JobId, out var j) ? View(j) : null)));
        Command<ListJobs>(q => Sender.Tell(new ListJobsResult(_state.Jobs.Values
            .Where(j => q.Tenant is null || j.Definition.Tenant == q.Tenant)
            .OrderBy(j => j.Definition.Id, StringComparer.Ordinal).Select(View).ToList())));
        Command<GetNextFireTimes>(q =>
        {
            if (!_schedules.TryGetValue(q.JobId, out var s)) Sender.Tell(CommandRejected.NotFound(q.JobId));
            else Sender.Tell(new GetNextFireTimesResult(q.JobId, s.Upcoming(Now, Math.Clamp(q.Count, 1, 1000))));
        });
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Scheduler snapshot failed"));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId => "scheduler";

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    public static Props Props(IActorRef jobs, JobHandlerRegistry handlers, TimeProvider clock, JobsSettings settings) =>
        Akka.Actor.Props.Create(() => new SchedulerActor(jobs, handlers, clock, settings));

    private void OnRecovered()
    {
        if (_settings.UseQuartz) _quartz = new QuartzWakeups(Self, _clock, _log);
        foreach (var job in _state.Jobs.Values) Track(job);
        // A supervisor with a run in flight must recover it even when its job is not due soon. Only
        // those are woken: waking every job would recover every supervisor's journal at once.
        foreach (var id in _state.Busy) Wake(id);
        if (InCluster)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("sweep", CheckDue.All, _settings.SweepInterval);
        Timers.StartPeriodicTimer("resend", ResendDue.Instance, _settings.TickResendAfter);
        Timers.StartPeriodicTimer("checkpoint", CheckpointDue.Instance, _settings.CheckpointInterval);
        _log.Info("Scheduler started with {0} jobs", _state.Jobs.Count);
        Self.Tell(CheckDue.All);
    }

    /// <summary>False in the local-actor-system pipeline tests, which have no cluster to watch.</summary>
    private static bool InCluster => Context.System is ExtendedActorSystem { Provider: IClusterActorRefProvider };

    protected override void PostStop()
    {
        if (InCluster) Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _quartz?.Dispose();
        base.PostStop();
    }

    // ------------------------------------------------------------ definitions

    private void OnRegister(RegisterJob cmd)
    {
        var def = cmd.Definition;
        var exists = _state.Jobs.TryGetValue(def.Id, out var existing);
        var errors = DefinitionCheck.Validate(def, _handlers.Names, Now, !exists);
        if (errors.Count > 0)
        {
            Sender.Tell(new CommandRejected(def.Id, RejectionKind.Invalid, errors));
            return;
        }
        if (exists && JobState.SameDefinition(existing!.Definition, def))
        {
            Sender.Tell(new CommandAck(def.Id));
            return;
        }
        var replyTo = Sender;
        var recreated = !exists && _state.Removed.ContainsKey(def.Id);
        PersistEvent(new JobDefined(def, exists ? Now : _state.CreationTimeFor(def.Id, Now)), () =>
        {
            var job = _state.Jobs[def.Id];
            if (exists && (existing!.Definition.Schedule != def.Schedule || existing.Definition.TimeZone != def.TimeZone)) FinishOldSchedule(existing);
            Track(job, reset: !exists);
            // An update reaches the supervisor now; so does a re-created id, whose supervisor would otherwise show
            // the removed incarnation's history until the first time is due.
            if (exists || recreated) _jobs.Tell(new WakeJob(def.Id, def, job.CreatedUtc));
            _log.Info("Job {0} {1}: schedule={2} handler={3}", def.Id, exists ? "updated" : "registered", def.Schedule, def.Handler);
            replyTo.Tell(new CommandAck(def.Id, Created: !exists));
            CheckDueJobs(def.Id);
        });
    }

    /// <summary>
    /// A new schedule applies from its change on: the old one's times up to now that are not yet emitted (the wake-up
    /// for one may be just behind, or the job is paused) are emitted now under the old definition, and emission moves
    /// to now. Otherwise the new schedule would be applied back to the old one's last time, e.g. hourly changed to
    /// every minute at 12:59 would record 12:01-12:58 as missed.
    /// </summary>
    private void FinishOldSchedule(ScheduledJob old)
    {
        var id = old.Definition.Id;
        if (!_schedules.TryGetValue(id, out var schedule) || !_emission.TryGetValue(id, out var em)) return;
        var now = Now;
        var rest = DuePlanner.PlanRest(old, schedule, em.LastEmittedUtc, now, em.Covered(old.CoveredUtc), _settings.MisfireThreshold);
        foreach (var tick in rest.Ticks)
        {
            em.Outstanding[tick.ScheduledUtc] = (tick, now);
            _jobs.Tell(tick);
        }
        em.LastEmittedUtc = rest.LastEmittedUtc;
        em.Dirty = true;
    }

    private void OnRemove(RemoveJob cmd)
    {
        if (!_state.Jobs.TryGetValue(cmd.JobId, out var removed))
        {
            Sender.Tell(CommandRejected.NotFound(cmd.JobId));
            return;
        }
        var replyTo = Sender;
        PersistEvent(new JobUndefined(cmd.JobId, Now), () =>
        {
            _schedules.Remove(cmd.JobId);
            _emission.Remove(cmd.JobId);
            _quartz?.Unschedule(cmd.JobId);
            _jobs.Tell(new RetireJob(cmd.JobId, removed.CreatedUtc));
            _log.Info("Job {0} removed", cmd.JobId);
            replyTo.Tell(new CommandAck(cmd.JobId));
        });
    }

    private void OnPause(string jobId, string reason, IActorRef replyTo)
    {
        if (!_state.Jobs.TryGetValue(jobId, out var job))
        {
            replyTo.Tell(CommandRejected.NotFound(jobId));
            return;
        }
        if (job.Paused)
        {
            replyTo.Tell(new CommandAck(jobId));
            return;
        }
        PersistEvent(new JobPaused(jobId, reason, Now), () =>
        {
            _log.Warning("Job {0} paused: {1}", jobId, reason);
            replyTo.Tell(new CommandAck(jobId));
        });
    }

    private void OnResume(ResumeJob cmd)
    {
        if (!_state.Jobs.TryGetValue(cmd.JobId, out var job))
        {
            Sender.Tell(CommandRejected.NotFound(cmd.JobId));
            return;
        }
        if (!job.Paused)
        {
            Sender.Tell(new CommandAck(cmd.JobId));
            return;
        }
        var replyTo = Sender;
        PersistEvent(new JobResumed(cmd.JobId, Now), () =>
        {
            _log.Info("Job {0} resumed", cmd.JobId);
            replyTo.Tell(new CommandAck(cmd.JobId));
            CheckDueJobs(cmd.JobId);
        });
    }

    // ------------------------------------------------------------ ticks

    private void OnTrigger(TriggerJob cmd)
    {
        if (!_state.Jobs.TryGetValue(cmd.JobId, out var job))
        {
            Sender.Tell(CommandRejected.NotFound(cmd.JobId));
            return;
        }
        // Manual run ids are unique per scheduler: millisecond instants that never repeat.
        var now = Now;
        var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        if (at <= _lastManual) at = _lastManual.AddMilliseconds(1);
        _lastManual = at;
        var tick = new Tick(job.Definition.Id, at, TriggerKind.Manual, job.Definition, job.CoveredUtc, JobCreatedUtc: job.CreatedUtc);
        _manual[at] = new PendingManual(tick, Sender, now);
        _jobs.Tell(tick);
    }

    private void CheckDueJobs(string? jobId)
    {
        if (jobId is not null)
        {
            EmitDue(jobId);
            return;
        }
        var now = Now;
        foreach (var (id, emission) in _emission)
        {
            if (emission.NextDueUtc is not { } next) continue;
            if (next - _settings.PrepareAhead <= now) EmitDue(id);
            else if (NeedsWarmUp(emission, next, now))
            {
                emission.WarmedFor = next;
                Wake(id);
            }
        }
    }

    /// <summary>
    /// Quartz fires a trigger at the scheduled time; this timer wakes its jobs prepare-ahead earlier, so
    /// their runs are stored and handed out before the time. Quartz's own firing stays the safety net.
    /// </summary>
    private void PrepareNext(string key)
    {
        if (_settings.PrepareAhead <= TimeSpan.Zero || _quartz?.ScheduleOf(key) is not { } schedule) return;
        var now = Now;
        if (schedule.NextAfter(now + _settings.PrepareAhead) is { } next)
            Timers.StartSingleTimer("prepare:" + key, new QuartzWakeups.Due(key), next - _settings.PrepareAhead - now);
    }

    /// <summary>
    /// A job due within the warm-up lead whose supervisor has probably passivated (nothing sent to it
    /// for longer than the passivation delay by then) is woken now, so that reading its journal is
    /// done before the due time instead of delaying the run.
    /// </summary>
    private bool NeedsWarmUp(JobEmission em, DateTimeOffset next, DateTimeOffset now) =>
        next - now <= _settings.WarmUpAhead && em.WarmedFor != next && next - em.LastContactUtc >= _settings.PassivateIdleAfter;

    private void Wake(string jobId)
    {
        if (!_state.Jobs.TryGetValue(jobId, out var job)) return;
        if (_emission.TryGetValue(jobId, out var em)) em.LastContactUtc = Now;
        _jobs.Tell(new WakeJob(jobId, job.Definition, job.CreatedUtc));
    }

    /// <summary>Jobs with runs in flight as far as this scheduler knows (checkpointed plus newer reports).</summary>
    private IEnumerable<string> BusyJobs() =>
        _state.Busy.Where(id => !_activityChanges.TryGetValue(id, out var busy) || busy)
            .Concat(_activityChanges.Where(kv => kv.Value && !_state.Busy.Contains(kv.Key)).Select(kv => kv.Key));

    /// <summary>Records a supervisor's busy/idle report unless a newer one was already seen.</summary>
    private bool Report(string jobId, bool busy, long seq)
    {
        if (!_state.Jobs.ContainsKey(jobId)) return false;
        if (_reported.TryGetValue(jobId, out var last) && last.Seq > seq) return false;
        _reported[jobId] = (busy, seq);
        var known = _activityChanges.TryGetValue(jobId, out var pending) ? pending : _state.Busy.Contains(jobId);
        if (known == busy) return false;
        if (busy == _state.Busy.Contains(jobId)) _activityChanges.Remove(jobId);
        else _activityChanges[jobId] = busy;
        return true;
    }

    private void EmitDue(string jobId)
    {
        if (!_state.Jobs.TryGetValue(jobId, out var job) || !_schedules.TryGetValue(jobId, out var schedule) || !_emission.TryGetValue(jobId, out var em)) return;
        var now = Now;
        var plan = DuePlanner.Plan(job, schedule, em.LastEmittedUtc, now, em.Covered(job.CoveredUtc), _settings.MisfireThreshold, _settings.PrepareAhead);
        // Runs first: after a gap (fail-over) the catch-up run must not wait behind the supervisor's
        // writes of a dozen skip records; the supervisor decides each time on its own, in any order.
        foreach (var tick in plan.Ticks.OrderBy(t => t.SkipReason is null ? 0 : 1))
        {
            em.Outstanding[tick.ScheduledUtc] = (tick, now);
            _jobs.Tell(tick);
        }
        if (plan.Ticks.Count > 0) em.LastContactUtc = now;
        em.LastEmittedUtc = plan.LastEmittedUtc;
        em.NextDueUtc = job.Paused ? null : schedule.NextAfter(em.LastEmittedUtc);
        if (plan.Ticks.Count > 0) em.Dirty = true;
        if (plan.More) Self.Tell(new CheckDue(jobId));
    }

    private void OnAck(TickAck ack)
    {
        if (_manual.TryGetValue(ack.ScheduledUtc, out var pending) && pending.Tick.JobId == ack.JobId
            && (ack.JobCreatedUtc is null || pending.Tick.JobCreatedUtc == ack.JobCreatedUtc))
        {
            _manual.Remove(ack.ScheduledUtc);
            if (ack.Stale)
            {
                // The job was removed before its supervisor decided the trigger: no run exists or will.
                pending.ReplyTo.Tell(new CommandRejected(ack.JobId, RejectionKind.Conflict,
                    [new ValidationError("id", $"job '{ack.JobId}' was removed before the trigger was recorded; no run was started")]));
                return;
            }
            // No watermark re-sends a manual run after a fail-over, so its busy mark is stored at once.
            if (Report(ack.JobId, ack.Busy, ack.Seq)) Checkpoint();
            pending.ReplyTo.Tell(new CommandAck(ack.JobId, RunId: ack.RunId));
            return;
        }
        // An acknowledgement for an earlier incarnation of the id says nothing about the current one's times.
        if (!_state.Jobs.TryGetValue(ack.JobId, out var job) || ack.JobCreatedUtc is { } created && created != job.CreatedUtc) return;
        if (ack.Stale)
        {
            // Cannot happen while removal and creation go through this actor; keep the time outstanding, never lose it.
            _log.Warning("Job {0}: its supervisor calls the tick for {1:O} stale although the job exists", ack.JobId, ack.ScheduledUtc);
            return;
        }
        // Stored with the watermark that covers this time: a successor either re-sends the tick (which
        // wakes the supervisor) or knows the job is busy.
        if (Report(ack.JobId, ack.Busy, ack.Seq) && _emission.TryGetValue(ack.JobId, out var marked)) marked.Dirty = true;
        if (!_emission.TryGetValue(ack.JobId, out var em) || !em.Outstanding.Remove(ack.ScheduledUtc, out var sent)) return;
        em.Dirty = true;
        if (ack.DecidedSpans is { Count: > 0 } spans)
        {
            // Part of a range was decided before (e.g. by the previous scheduler): send only the rest. The range's
            // times are those of the schedule it was planned with, which an update may have changed since.
            var now = Now;
            foreach (var tick in DuePlanner.Recut(sent.Tick, DefinitionCheck.ScheduleOf(sent.Tick.Definition), spans))
            {
                em.Outstanding[tick.ScheduledUtc] = (tick, now);
                _jobs.Tell(tick);
            }
        }
    }

    private void Resend()
    {
        var now = Now;
        foreach (var em in _emission.Values)
            foreach (var (at, (tick, sent)) in em.Outstanding.ToList())
                if (now - sent >= _settings.TickResendAfter)
                {
                    em.Outstanding[at] = (tick, now);
                    _jobs.Tell(tick);
                }
        foreach (var (at, p) in _manual.ToList())
            if (now - p.SentUtc >= _settings.TickResendAfter)
            {
                _manual[at] = p with { SentUtc = now };
                _jobs.Tell(p.Tick);
            }
    }

    private void Checkpoint()
    {
        var moved = new Dictionary<string, DateTimeOffset>();
        foreach (var (id, em) in _emission)
        {
            if (!em.Dirty || !_state.Jobs.TryGetValue(id, out var job)) continue;
            em.Dirty = false;
            var covered = em.Covered(job.CoveredUtc);
            if (covered > job.CoveredUtc) moved[id] = covered;
        }
        if (moved.Count == 0 && _activityChanges.Count == 0) return;
        var busy = _activityChanges.Where(kv => kv.Value).Select(kv => kv.Key).ToList();
        var idle = _activityChanges.Where(kv => !kv.Value).Select(kv => kv.Key).ToList();
        _activityChanges.Clear();
        PersistEvent(new WatermarksAdvanced(moved, busy.Count > 0 ? busy : null, idle.Count > 0 ? idle : null), () => { });
    }

    // ------------------------------------------------------------ helpers

    private void PersistEvent(ISchedulerEvent e, Action after) =>
        Persist(e, evt =>
        {
            _state = _state.Apply(evt);
            after();
            // A snapshot holds every definition: taken every N events it made registering n jobs O(n²)
            // in bytes written. Waiting for as many events as there are jobs keeps it O(1) per event,
            // and recovery replays at most that many events after the snapshot.
            if (++_sinceSnapshot < Math.Max(_settings.SnapshotEvery, _state.Jobs.Count)) return;
            SaveSnapshot(_state);
            _sinceSnapshot = 0;
        });

    /// <summary>(Re)computes a job's schedule and emission state after recovery or a definition change.</summary>
    private void Track(ScheduledJob job, bool reset = true)
    {
        var id = job.Definition.Id;
        var schedule = DefinitionCheck.ScheduleOf(job.Definition);
        _schedules[id] = schedule;
        if (reset || !_emission.ContainsKey(id)) _emission[id] = new JobEmission(job.CoveredUtc);
        var em = _emission[id];
        em.NextDueUtc = schedule.NextAfter(em.LastEmittedUtc);
        if (_quartz?.Schedule(id, schedule, Now) == true && QuartzWakeups.KeyOf(schedule) is { } key) PrepareNext(key);
    }

    private JobView View(ScheduledJob j) =>
        new(j.Definition, j.Paused, j.PausedReason, j.CreatedUtc, j.UpdatedUtc,
            j.Paused || !_schedules.TryGetValue(j.Definition.Id, out var s) ? null : s.NextAfter(Now));

    /// <summary>Per-job emission progress; lives only as long as this scheduler incarnation.</summary>
    private sealed class JobEmission(DateTimeOffset lastEmitted)
    {
        public DateTimeOffset LastEmittedUtc { get; set; } = lastEmitted;
        public DateTimeOffset? NextDueUtc { get; set; }
        public SortedDictionary<DateTimeOffset, (Tick Tick, DateTimeOffset SentUtc)> Outstanding { get; } = [];
        public bool Dirty { get; set; }
        /// <summary>When a tick or wake-up was last sent to the job's supervisor.</summary>
        public DateTimeOffset LastContactUtc { get; set; } = DateTimeOffset.MinValue;
        /// <summary>The due time a warm-up was sent for (one per due time).</summary>
        public DateTimeOffset? WarmedFor { get; set; }

        /// <summary>All times at or before this are acknowledged.</summary>
        public DateTimeOffset Covered(DateTimeOffset persisted)
        {
            var covered = Outstanding.Count == 0 ? LastEmittedUtc : Outstanding.Keys.First().AddTicks(-1);
            return covered > persisted ? covered : persisted;
        }
    }

    private sealed class ResendDue : IDeadLetterSuppression
    {
        public static readonly ResendDue Instance = new();
    }

    private sealed class CheckpointDue : IDeadLetterSuppression
    {
        public static readonly CheckpointDue Instance = new();
    }
}

/// <summary>A manual trigger waiting for its supervisor's acknowledgement.</summary>
internal sealed record PendingManual(Tick Tick, IActorRef ReplyTo, DateTimeOffset SentUtc);
