using Akka.Jobs.Domain.Access;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Scheduler;
using Akka.Persistence;

namespace Akka.Jobs.Actors.Scheduler;

/// <summary>
/// Cluster singleton (persistence id <c>scheduler</c>): the single writer of job definitions and the source of
/// ticks. Its durable state is <see cref="SchedulerState"/>; what to emit, re-send and checkpoint is decided by its
/// <see cref="EmissionState"/> (per-job watermarks only move past acknowledged times, so a successor re-emits exactly
/// the undecided times after a fail-over). This actor persists, sends and answers.
/// </summary>
public sealed class SchedulerActor : ReceivePersistentActor, IWithTimers
{
    private readonly IActorRef _jobs;
    private readonly JobHandlerRegistry _handlers;
    private readonly ShellPolicy _shell;
    private readonly TimeProvider _clock;
    private readonly JobsSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly EmissionState _emission;
    private readonly Dictionary<DateTimeOffset, PendingManual> _manual = [];
    private QuartzWakeups? _quartz;
    private SchedulerState _state = SchedulerState.Empty;
    private DateTimeOffset _lastManual = DateTimeOffset.MinValue;
    private int _sinceSnapshot;

    public SchedulerActor(IActorRef jobs, JobHandlerRegistry handlers, ShellPolicy shell, TimeProvider clock, JobsSettings settings)
    {
        _jobs = jobs;
        _handlers = handlers;
        _shell = shell;
        _clock = clock;
        _settings = settings;
        _emission = new EmissionState(new EmissionTiming(settings.MisfireThreshold, settings.PrepareAhead, settings.TickResendAfter,
            settings.WarmUpAhead, settings.PassivateIdleAfter));

        Recover<SnapshotOffer>(RecoverSnapshot);
        Recover<ISchedulerEvent>(RecoverEvent);
        Recover<RecoveryCompleted>(HandleRecoveryCompleted);

        Command<RegisterJob>(HandleRegisterJob);
        Command<RemoveJob>(HandleRemoveJob);
        Command<PauseJob>(HandlePauseJob);
        Command<AutoPauseJob>(HandleAutoPauseJob);
        Command<ResumeJob>(HandleResumeJob);
        Command<TriggerJob>(HandleTriggerJob);
        Command<RerunRun>(HandleRerunRun);
        Command<ResumeDue>(HandleResumeDue);
        Command<CheckDue>(HandleCheckDue);
        Command<QuartzWakeups.Due>(HandleQuartzDue);
        Command<TickAck>(HandleTickAck);
        Command<JobIdle>(HandleJobIdle);
        Command<ClusterEvent.MemberRemoved>(HandleMemberRemoved);
        Command<ResendDue>(HandleResendDue);
        Command<CheckpointDue>(HandleCheckpointDue);
        Command<GetJob>(HandleGetJob);
        Command<ListJobs>(HandleListJobs);
        Command<GetNextFireTimes>(HandleGetNextFireTimes);
        Command<SaveSnapshotSuccess>(HandleSaveSnapshotSuccess);
        Command<SaveSnapshotFailure>(HandleSaveSnapshotFailure);
        Command<DeleteSnapshotsSuccess>(_ => { }); // older snapshots are gone: nothing to do
        Command<DeleteSnapshotsFailure>(_ => { }); // the next successful snapshot deletes them
    }

    public override string PersistenceId => "scheduler";

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    public static Props Props(IActorRef jobs, JobHandlerRegistry handlers, ShellPolicy shell, TimeProvider clock, JobsSettings settings) =>
        Akka.Actor.Props.Create(() => new SchedulerActor(jobs, handlers, shell, clock, settings));

    private void RecoverSnapshot(SnapshotOffer offer)
    {
        if (offer.Snapshot is SchedulerState s) _state = s;
    }

    private void RecoverEvent(ISchedulerEvent e)
    {
        _state = _state.Apply(e);
        _sinceSnapshot++;
    }

    private void HandleRecoveryCompleted(RecoveryCompleted _)
    {
        if (_settings.UseQuartz) _quartz = new QuartzWakeups(Self, _clock, _log);
        foreach (var job in _state.Jobs.Values)
        {
            Track(job);
            // A pause that ended while no scheduler ran ends before the first due check, so its times after the end are
            // planned under the misfire policy rather than skipped as paused.
            if (job is { Paused: true, PausedUntilUtc: { } until } && until <= Now) Self.Tell(new ResumeDue(job.Definition.Id, until));
            else ArmResume(job);
        }
        // A job actor with a run in flight must recover it even when its job is not due soon. Only those are woken:
        // waking every job would recover every job actor's journal at once.
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

    private void HandleRegisterJob(RegisterJob cmd)
    {
        var def = cmd.Definition;
        var exists = _state.Jobs.TryGetValue(def.Id, out var existing);
        if (TenantScope.Own(def, existing?.Definition, cmd.Tenants) is { } notOwned)
        {
            Sender.Tell(notOwned);
            return;
        }
        var errors = DefinitionCheck.Validate(def, _handlers.Names, _shell, Now, !exists, _handlers.Secrets, _settings.MaxDefinitionBytes);
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
            if (exists && (existing!.Definition.Schedule != def.Schedule || existing.Definition.TimeZone != def.TimeZone))
                Send(_emission.FinishOldSchedule(existing, Now));
            Track(job, reset: !exists);
            // An update reaches the job actor now; so does a re-created id, whose actor would otherwise show the
            // removed incarnation's history until the first time is due.
            if (exists || recreated) _jobs.Tell(new WakeJob(def.Id, def, job.CreatedUtc));
            _log.Info("Job {0} {1}: schedule={2} handler={3}", def.Id, exists ? "updated" : "registered", def.Schedule, def.Handler);
            replyTo.Tell(new CommandAck(def.Id, Created: !exists));
            EmitDue(def.Id);
        });
    }

    private void HandleRemoveJob(RemoveJob cmd)
    {
        if (!_state.Jobs.TryGetValue(cmd.JobId, out var removed) || !TenantScope.Allows(cmd.Tenants, removed.Definition.Tenant))
        {
            Sender.Tell(CommandRejected.NotFound(cmd.JobId));
            return;
        }
        var replyTo = Sender;
        PersistEvent(new JobUndefined(cmd.JobId, Now), () =>
        {
            _emission.Forget(cmd.JobId);
            _quartz?.Unschedule(cmd.JobId);
            _jobs.Tell(new RetireJob(cmd.JobId, removed.CreatedUtc));
            _log.Info("Job {0} removed", cmd.JobId);
            replyTo.Tell(new CommandAck(cmd.JobId));
        });
    }

    private void HandlePauseJob(PauseJob p)
    {
        var decision = _state.DecidePause(p, Now);
        if (decision.Refused is { } refused) Sender.Tell(refused);
        else if (decision.Paused is null) Sender.Tell(new CommandAck(p.JobId));
        else Pause(decision.Paused, Sender);
    }

    /// <summary>A job actor's pause after repeated failures; a late one for an earlier incarnation of the id is ignored.</summary>
    private void HandleAutoPauseJob(AutoPauseJob p)
    {
        if (!_state.Jobs.TryGetValue(p.JobId, out var job) || job.Paused) return;
        if (p.JobCreatedUtc is { } created && job.CreatedUtc != created) return;
        Pause(new JobPaused(p.JobId, $"paused after {p.ConsecutiveFailures} consecutive failures", Now), ActorRefs.Nobody);
    }

    /// <summary>Stores a decided pause (or a paused job's new note or end) and arms its end.</summary>
    private void Pause(JobPaused paused, IActorRef replyTo)
    {
        var jobId = paused.JobId;
        PersistEvent(paused, () =>
        {
            _log.Warning("Job {0} paused{1}: {2}", jobId, paused.UntilUtc is { } u ? $" until {u:O}" : "", paused.Reason ?? "");
            ArmResume(_state.Jobs[jobId]);
            replyTo.Tell(new CommandAck(jobId));
        });
    }

    private void HandleResumeJob(ResumeJob cmd)
    {
        if (!_state.Jobs.TryGetValue(cmd.JobId, out var job) || !TenantScope.Allows(cmd.Tenants, job.Definition.Tenant))
            Sender.Tell(CommandRejected.NotFound(cmd.JobId));
        else Resume(cmd.JobId, cmd.By ?? "operator", Sender);
    }

    /// <summary>A pause's end came: the job resumes unless it was resumed, or paused again with another end, meanwhile.</summary>
    private void HandleResumeDue(ResumeDue due)
    {
        if (_state.Jobs.TryGetValue(due.JobId, out var job) && job.Paused && job.PausedUntilUtc == due.UntilUtc)
            Resume(due.JobId, $"pause until {due.UntilUtc:O}", ActorRefs.Nobody, endedUtc: due.UntilUtc < Now ? due.UntilUtc : null);
    }

    /// <summary><paramref name="endedUtc"/>: when the pause ended, if before now (only times up to it were paused).</summary>
    private void Resume(string jobId, string by, IActorRef replyTo, DateTimeOffset? endedUtc = null)
    {
        if (!_state.Jobs.TryGetValue(jobId, out var job))
        {
            replyTo.Tell(CommandRejected.NotFound(jobId));
            return;
        }
        if (!job.Paused)
        {
            replyTo.Tell(new CommandAck(jobId));
            return;
        }
        PersistEvent(new JobResumed(jobId, endedUtc ?? Now, by), () =>
        {
            Timers.Cancel(ResumeKey(jobId));
            _log.Info("Job {0} resumed by {1}", jobId, by);
            replyTo.Tell(new CommandAck(jobId));
            EmitDue(jobId);
        });
    }

    /// <summary>Starts (or replaces) the timer that ends a paused job's pause at its until instant.</summary>
    private void ArmResume(ScheduledJob job)
    {
        var key = ResumeKey(job.Definition.Id);
        if (job is { Paused: true, PausedUntilUtc: { } until })
        {
            var delay = until - Now;
            Timers.StartSingleTimer(key, new ResumeDue(job.Definition.Id, until), delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }
        else Timers.Cancel(key);
    }

    private static string ResumeKey(string jobId) => "resume:" + jobId;

    // ------------------------------------------------------------ ticks

    private void HandleRerunRun(RerunRun cmd)
    {
        if (RunIds.JobIdOf(cmd.RunId) != cmd.JobId)
        {
            Sender.Tell(new CommandRejected(cmd.JobId, RejectionKind.Invalid, [new ValidationError("runId", $"'{cmd.RunId}' is not a run of job '{cmd.JobId}'")]));
            return;
        }
        HandleTriggerJob(new TriggerJob(cmd.JobId, cmd.RunId, cmd.By, cmd.Tenants));
    }

    private void HandleTriggerJob(TriggerJob cmd)
    {
        // A job of a tenant the caller cannot reach answers like a missing one.
        if (!_state.Jobs.TryGetValue(cmd.JobId, out var job) || !TenantScope.Allows(cmd.Tenants, job.Definition.Tenant))
        {
            Sender.Tell(CommandRejected.NotFound(cmd.JobId));
            return;
        }
        if (OperatorDecisions.ByError(cmd.By) is { } badBy)
        {
            Sender.Tell(new CommandRejected(cmd.JobId, RejectionKind.Invalid, [badBy]));
            return;
        }
        var cause = OperatorDecisions.ManualCause(cmd.By, cmd.RerunOf);
        // Manual run ids are unique per scheduler: millisecond instants that never repeat.
        var now = Now;
        var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        if (at <= _lastManual) at = _lastManual.AddMilliseconds(1);
        _lastManual = at;
        var tick = new Tick(job.Definition.Id, at, TriggerKind.Manual, job.Definition, job.CoveredUtc, JobCreatedUtc: job.CreatedUtc, Cause: cause);
        _manual[at] = new PendingManual(tick, Sender, now);
        _jobs.Tell(tick);
    }

    private void HandleCheckDue(CheckDue c)
    {
        if (c.JobId is not null)
        {
            EmitDue(c.JobId);
            return;
        }
        var due = _emission.CheckDue(Now);
        foreach (var id in due.Emit) EmitDue(id);
        foreach (var id in due.Wake) Wake(id);
    }

    private void HandleQuartzDue(QuartzWakeups.Due d)
    {
        if (_quartz is null) return;
        foreach (var id in _quartz.JobsOf(d.Key).ToList()) EmitDue(id);
        PrepareNext(d.Key);
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

    private void Wake(string jobId)
    {
        if (!_state.Jobs.TryGetValue(jobId, out var job)) return;
        _emission.Contacted(jobId, Now);
        _jobs.Tell(new WakeJob(jobId, job.Definition, job.CreatedUtc));
    }

    private void EmitDue(string jobId)
    {
        if (!_state.Jobs.TryGetValue(jobId, out var job)) return;
        Send(_emission.Emit(job, Now, out var more));
        if (more) Self.Tell(new CheckDue(jobId));
    }

    private void HandleTickAck(TickAck ack)
    {
        if (_manual.TryGetValue(ack.ScheduledUtc, out var pending) && pending.Tick.JobId == ack.JobId
            && (ack.JobCreatedUtc is null || pending.Tick.JobCreatedUtc == ack.JobCreatedUtc))
        {
            AnswerTrigger(ack, pending);
            return;
        }
        // An acknowledgement for an earlier incarnation of the id says nothing about the current one's times.
        if (!_state.Jobs.TryGetValue(ack.JobId, out var job) || ack.JobCreatedUtc is { } created && created != job.CreatedUtc) return;
        if (ack.Stale)
        {
            // Cannot happen while removal and creation go through this actor; keep the time outstanding, never lose it.
            _log.Warning("Job {0}: its job actor calls the tick for {1:O} stale although the job exists", ack.JobId, ack.ScheduledUtc);
            return;
        }
        Send(_emission.OnAck(ack, _state, Now));
    }

    private void AnswerTrigger(TickAck ack, PendingManual pending)
    {
        _manual.Remove(ack.ScheduledUtc);
        if (ack.Stale)
        {
            // The job was removed before its actor decided the trigger: no run exists or will.
            pending.ReplyTo.Tell(new CommandRejected(ack.JobId, RejectionKind.Conflict,
                [new ValidationError("id", $"job '{ack.JobId}' was removed before the trigger was recorded; no run was started")]));
            return;
        }
        // No watermark re-sends a manual run after a fail-over, so its busy mark is stored at once.
        if (_emission.Report(_state, ack.JobId, ack.Busy, ack.Seq)) Checkpoint();
        pending.ReplyTo.Tell(new CommandAck(ack.JobId, RunId: ack.RunId));
    }

    private void HandleJobIdle(JobIdle i)
    {
        _emission.Report(_state, i.JobId, busy: false, i.Seq);
        if (i.Failures is { } failures) _emission.ReportFailures(_state, i.JobId, failures, i.Seq);
    }

    private void HandleMemberRemoved(ClusterEvent.MemberRemoved m)
    {
        var node = m.Member.Address.ToString();
        var told = _emission.OnNodeRemoved(_state, node);
        _log.Info("Node {0} removed: telling {1} jobs with runs in flight", node, told.Count);
        foreach (var message in told) _jobs.Tell(message);
    }

    private void HandleResendDue(ResendDue _)
    {
        Send(_emission.Resend(Now));
        var now = Now;
        foreach (var (at, p) in _manual.ToList())
            if (now - p.SentUtc >= _settings.TickResendAfter)
            {
                _manual[at] = p with { SentUtc = now };
                _jobs.Tell(p.Tick);
            }
    }

    private void HandleCheckpointDue(CheckpointDue _) => Checkpoint();

    private void Checkpoint()
    {
        if (_emission.Checkpoint(_state) is { } checkpoint) PersistEvent(checkpoint, () => { });
    }

    // ------------------------------------------------------------ queries

    private void HandleGetJob(GetJob q) => Sender.Tell(new GetJobResult(q.JobId, _state.Jobs.TryGetValue(q.JobId, out var j) ? View(j) : null));

    private void HandleListJobs(ListJobs q)
    {
        var matching = _state.Jobs.Values
            .Where(j => q.After is null || string.CompareOrdinal(j.Definition.Id, q.After) > 0)
            .Where(j => q.Tenant is null || j.Definition.Tenant == q.Tenant)
            .Where(j => TenantScope.Allows(q.Tenants, j.Definition.Tenant))
            .Where(j => q.Failing is null || (_emission.FailuresOf(_state, j.Definition.Id) > 0) == q.Failing)
            .Where(j => q.Paused is null || j.Paused == q.Paused)
            .OrderBy(j => j.Definition.Id, StringComparer.Ordinal);
        var (page, more) = Paging.Take(matching, Math.Clamp(q.Limit ?? ListJobs.MaxLimit, 1, ListJobs.MaxLimit), ListJobs.MaxPageBytes,
            j => JobDefinitionValidator.SerializedSize(j.Definition));
        Sender.Tell(new ListJobsResult(page.Select(View).ToList(), more ? page[^1].Definition.Id : null));
    }

    private void HandleGetNextFireTimes(GetNextFireTimes q)
    {
        if (_emission.ScheduleOf(q.JobId) is not { } s) Sender.Tell(CommandRejected.NotFound(q.JobId));
        else Sender.Tell(new GetNextFireTimesResult(q.JobId, s.Upcoming(Now, Math.Clamp(q.Count, 1, GetNextFireTimes.MaxCount))));
    }

    // ------------------------------------------------------------ helpers

    private void HandleSaveSnapshotSuccess(SaveSnapshotSuccess s) => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));

    private void HandleSaveSnapshotFailure(SaveSnapshotFailure f) => _log.Warning(f.Cause, "Scheduler snapshot failed");

    private void Send(IReadOnlyList<Tick> ticks)
    {
        foreach (var tick in ticks) _jobs.Tell(tick);
    }

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

    /// <summary>(Re)computes a job's schedule and emission state after recovery or a definition change, and its Quartz wake-up.</summary>
    private void Track(ScheduledJob job, bool reset = true)
    {
        var schedule = _emission.Track(job, reset);
        if (_quartz?.Schedule(job.Definition.Id, schedule, Now) == true && QuartzWakeups.KeyOf(schedule) is { } key) PrepareNext(key);
    }

    private JobView View(ScheduledJob j) =>
        new(j.Definition, j.Paused, j.PausedReason, j.CreatedUtc, j.UpdatedUtc,
            j.Paused || _emission.ScheduleOf(j.Definition.Id) is not { } s ? null : s.NextAfter(Now), j.PausedUntilUtc,
            _emission.FailuresOf(_state, j.Definition.Id));

    /// <summary>The end of a job's pause; <see cref="UntilUtc"/> tells it from the end of a pause that was replaced.</summary>
    private sealed record ResumeDue(string JobId, DateTimeOffset UntilUtc) : IDeadLetterSuppression;

    private sealed class ResendDue : IDeadLetterSuppression
    {
        public static readonly ResendDue Instance = new();
    }

    private sealed class CheckpointDue : IDeadLetterSuppression
    {
        public static readonly CheckpointDue Instance = new();
    }
}

/// <summary>A manual trigger waiting for its job actor's acknowledgement.</summary>
internal sealed record PendingManual(Tick Tick, IActorRef ReplyTo, DateTimeOffset SentUtc);
