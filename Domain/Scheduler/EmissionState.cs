using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Schedules;

namespace Akka.Jobs.Domain.Scheduler;

/// <summary>The scheduler's timing settings that emission decisions read.</summary>
public sealed record EmissionTiming(
    TimeSpan MisfireThreshold,
    TimeSpan PrepareAhead,
    TimeSpan TickResendAfter,
    TimeSpan WarmUpAhead,
    TimeSpan PassivateIdleAfter);

/// <summary>What a due check found: jobs to emit ticks for now, and jobs to wake ahead of their due time.</summary>
public sealed record DueJobs(IReadOnlyList<string> Emit, IReadOnlyList<string> Wake);

/// <summary>
/// The running scheduler's emission bookkeeping, next to its durable <see cref="SchedulerState"/>: per job the times
/// emitted and not yet acknowledged, the watermark they hold back, busy/idle reports of job actors not yet
/// checkpointed. Every method decides and returns what to send or persist; the actor only sends and persists.
/// <para>
/// Lives only as long as one scheduler incarnation: a successor rebuilds it from the durable state, re-emitting
/// exactly the undecided times. It is mutated in place (single owner, the scheduler actor) rather than copied per
/// step: thousands of ticks and acknowledgements a second pass through it, and an immutable map per step allocated
/// O(log n) nodes for each of them.
/// </para>
/// </summary>
public sealed class EmissionState(EmissionTiming timing)
{
    private readonly Dictionary<string, JobEmission> _jobs = [];
    private readonly Dictionary<string, Schedule> _schedules = [];
    /// <summary>Latest run-activity report per job (busy or idle, and the job actor's journal position).</summary>
    private readonly Dictionary<string, (bool Busy, long Seq)> _reported = [];
    private readonly Dictionary<string, (int Streak, long Seq)> _failureReports = [];
    private readonly Dictionary<string, int> _failureChanges = [];
    /// <summary>Activity changes not yet in a checkpoint: job → busy.</summary>
    private readonly Dictionary<string, bool> _activityChanges = [];

    /// <summary>The parsed schedule of a tracked job.</summary>
    public Schedule? ScheduleOf(string jobId) => _schedules.GetValueOrDefault(jobId);

    /// <summary>(Re)computes a job's schedule and emission after recovery or a definition change; a new job starts at its watermark.</summary>
    public Schedule Track(ScheduledJob job, bool reset = true)
    {
        var id = job.Definition.Id;
        var schedule = DefinitionCheck.ScheduleOf(job.Definition);
        _schedules[id] = schedule;
        if (reset || !_jobs.ContainsKey(id)) _jobs[id] = new JobEmission(job.CoveredUtc);
        var em = _jobs[id];
        em.NextDueUtc = schedule.NextAfter(em.LastEmittedUtc);
        return schedule;
    }

    /// <summary>The job was removed: nothing of it is emitted or re-sent any more.</summary>
    public void Forget(string jobId)
    {
        _schedules.Remove(jobId);
        _jobs.Remove(jobId);
        // A job created again under the id starts with no failures.
        _failureReports.Remove(jobId);
        _failureChanges.Remove(jobId);
    }

    /// <summary>
    /// The ticks to send for <paramref name="job"/> now (runs first: after a gap the catch-up run must not wait behind
    /// a dozen skip records; the job actor decides each time on its own, in any order); <paramref name="more"/> says a
    /// backlog is left for another round.
    /// </summary>
    public IReadOnlyList<Tick> Emit(ScheduledJob job, DateTimeOffset now, out bool more)
    {
        more = false;
        var id = job.Definition.Id;
        if (!_schedules.TryGetValue(id, out var schedule) || !_jobs.TryGetValue(id, out var em)) return [];
        var plan = DuePlanner.Plan(job, schedule, em.LastEmittedUtc, now, em.Covered(job.CoveredUtc), timing.MisfireThreshold, timing.PrepareAhead);
        var ticks = plan.Ticks.Count > 1 ? plan.Ticks.OrderBy(t => t.SkipReason is null ? 0 : 1).ToList() : plan.Ticks;
        Sent(em, ticks, now);
        if (ticks.Count > 0)
        {
            em.LastContactUtc = now;
            em.Dirty = true;
        }
        em.LastEmittedUtc = plan.LastEmittedUtc;
        em.NextDueUtc = job.Paused ? null : schedule.NextAfter(em.LastEmittedUtc);
        more = plan.More;
        return ticks;
    }

    /// <summary>
    /// A new schedule applies from its change on: the old one's times up to now that are not yet emitted (the wake-up
    /// for one may be just behind, or the job is paused) are emitted now under the old definition, and emission moves
    /// to now. Otherwise the new schedule would be applied back to the old one's last time, e.g. hourly changed to
    /// every minute at 12:59 would record 12:01-12:58 as missed.
    /// </summary>
    public IReadOnlyList<Tick> FinishOldSchedule(ScheduledJob old, DateTimeOffset now)
    {
        var id = old.Definition.Id;
        if (!_schedules.TryGetValue(id, out var schedule) || !_jobs.TryGetValue(id, out var em)) return [];
        var rest = DuePlanner.PlanRest(old, schedule, em.LastEmittedUtc, now, em.Covered(old.CoveredUtc), timing.MisfireThreshold);
        Sent(em, rest.Ticks, now);
        em.LastEmittedUtc = rest.LastEmittedUtc;
        em.Dirty = true;
        return rest.Ticks;
    }

    /// <summary>
    /// Jobs due within prepare-ahead are emitted; a job due within the warm-up lead whose job actor has probably
    /// passivated (nothing sent to it for longer than the passivation delay by then) is woken now, so reading its
    /// journal is done before the due time instead of delaying the run (once per due time).
    /// </summary>
    public DueJobs CheckDue(DateTimeOffset now)
    {
        List<string>? emit = null, wake = null;
        foreach (var (id, em) in _jobs)
        {
            if (em.NextDueUtc is not { } next) continue;
            if (next - timing.PrepareAhead <= now) (emit ??= []).Add(id);
            else if (next - now <= timing.WarmUpAhead && em.WarmedFor != next && next - em.LastContactUtc >= timing.PassivateIdleAfter)
            {
                em.WarmedFor = next;
                (wake ??= []).Add(id);
            }
        }
        return new DueJobs(emit ?? [], wake ?? []);
    }

    /// <summary>Something was sent to the job's actor now (a wake-up): it is in memory for a while.</summary>
    public void Contacted(string jobId, DateTimeOffset now)
    {
        if (_jobs.TryGetValue(jobId, out var em)) em.LastContactUtc = now;
    }

    /// <summary>
    /// A job actor acknowledged a tick of the current incarnation: the time stops being outstanding (its watermark may
    /// move), its busy/idle report is taken, and for a range that overlapped times decided before (e.g. by the
    /// previous scheduler) the rest of the range is returned to send. The range's times are those of the schedule it
    /// was planned with, which an update may have changed since.
    /// </summary>
    public IReadOnlyList<Tick> OnAck(TickAck ack, SchedulerState durable, DateTimeOffset now)
    {
        // Stored with the watermark that covers this time: a successor either re-sends the tick (which wakes the job
        // actor) or knows the job is busy.
        if (Report(durable, ack.JobId, ack.Busy, ack.Seq) && _jobs.TryGetValue(ack.JobId, out var marked)) marked.Dirty = true;
        if (ack.Failures is { } failures) ReportFailures(durable, ack.JobId, failures, ack.Seq);
        if (!_jobs.TryGetValue(ack.JobId, out var em) || !em.Outstanding.Remove(ack.ScheduledUtc, out var sent)) return [];
        em.Dirty = true;
        if (ack.DecidedSpans is not { Count: > 0 } spans) return [];
        var rest = DuePlanner.Recut(sent.Tick, DefinitionCheck.ScheduleOf(sent.Tick.Definition), spans);
        Sent(em, rest, now);
        return rest;
    }

    /// <summary>
    /// Records a job actor's busy/idle report unless a newer one (higher journal position) was already seen; true when
    /// it changes what the next checkpoint must store.
    /// </summary>
    public bool Report(SchedulerState durable, string jobId, bool busy, long seq)
    {
        if (!durable.Jobs.ContainsKey(jobId)) return false;
        if (_reported.TryGetValue(jobId, out var last) && last.Seq > seq) return false;
        _reported[jobId] = (busy, seq);
        var known = _activityChanges.TryGetValue(jobId, out var pending) ? pending : durable.Busy.Contains(jobId);
        if (known == busy) return false;
        if (busy == durable.Busy.Contains(jobId)) _activityChanges.Remove(jobId);
        else _activityChanges[jobId] = busy;
        return true;
    }

    /// <summary>Records a job's failure streak unless a newer report was seen; the next checkpoint stores a change.</summary>
    public void ReportFailures(SchedulerState durable, string jobId, int streak, long seq)
    {
        if (!durable.Jobs.ContainsKey(jobId)) return;
        if (_failureReports.TryGetValue(jobId, out var last) && last.Seq > seq) return;
        _failureReports[jobId] = (streak, seq);
        if (streak == durable.Failures.GetValueOrDefault(jobId)) _failureChanges.Remove(jobId);
        else _failureChanges[jobId] = streak;
    }

    /// <summary>The job's failure streak: the newest report, else the last checkpoint's.</summary>
    public int FailuresOf(SchedulerState durable, string jobId) =>
        _failureChanges.TryGetValue(jobId, out var streak) ? streak : durable.Failures.GetValueOrDefault(jobId);

    /// <summary>Ticks not acknowledged within the resend delay, to send again (a job actor may have moved or restarted).</summary>
    public IReadOnlyList<Tick> Resend(DateTimeOffset now)
    {
        List<Tick>? again = null;
        foreach (var em in _jobs.Values)
        {
            if (em.Outstanding.Count == 0) continue;
            foreach (var (at, (tick, sent)) in em.Outstanding.ToList())
                if (now - sent >= timing.TickResendAfter)
                {
                    em.Outstanding[at] = (tick, now);
                    (again ??= []).Add(tick);
                }
        }
        return again ?? [];
    }

    /// <summary>
    /// The checkpoint to persist, if anything moved: per job the watermark below its oldest unacknowledged time, and
    /// which jobs became busy or idle. Null when there is nothing new.
    /// </summary>
    public WatermarksAdvanced? Checkpoint(SchedulerState durable)
    {
        Dictionary<string, DateTimeOffset>? moved = null;
        foreach (var (id, em) in _jobs)
        {
            if (!em.Dirty || !durable.Jobs.TryGetValue(id, out var job)) continue;
            em.Dirty = false;
            var covered = em.Covered(job.CoveredUtc);
            if (covered > job.CoveredUtc) (moved ??= [])[id] = covered;
        }
        if (moved is null && _activityChanges.Count == 0 && _failureChanges.Count == 0) return null;
        var busy = _activityChanges.Where(kv => kv.Value).Select(kv => kv.Key).ToList();
        var idle = _activityChanges.Where(kv => !kv.Value).Select(kv => kv.Key).ToList();
        _activityChanges.Clear();
        Dictionary<string, int>? failures = _failureChanges.Count > 0 ? new(_failureChanges) : null;
        _failureChanges.Clear();
        return new WatermarksAdvanced(moved ?? [], busy.Count > 0 ? busy : null, idle.Count > 0 ? idle : null, failures);
    }

    /// <summary>
    /// A node left the cluster: the jobs with runs in flight (checkpointed busy plus newer reports) are told, so their
    /// actors resume the runs elsewhere now, not at their next due time or after a work lease. Only they can hold work.
    /// </summary>
    public IReadOnlyList<NodeRemoved> OnNodeRemoved(SchedulerState durable, string node) =>
        durable.Busy.Where(id => !_activityChanges.TryGetValue(id, out var busy) || busy)
            .Concat(_activityChanges.Where(kv => kv.Value && !durable.Busy.Contains(kv.Key)).Select(kv => kv.Key))
            .Select(id => new NodeRemoved(id, node))
            .ToList();

    private static void Sent(JobEmission em, IReadOnlyList<Tick> ticks, DateTimeOffset now)
    {
        foreach (var tick in ticks) em.Outstanding[tick.ScheduledUtc] = (tick, now);
    }

    /// <summary>Per-job emission progress.</summary>
    private sealed class JobEmission(DateTimeOffset lastEmitted)
    {
        public DateTimeOffset LastEmittedUtc { get; set; } = lastEmitted;
        public DateTimeOffset? NextDueUtc { get; set; }
        public SortedDictionary<DateTimeOffset, (Tick Tick, DateTimeOffset SentUtc)> Outstanding { get; } = [];
        public bool Dirty { get; set; }
        /// <summary>When a tick or wake-up was last sent to the job's actor.</summary>
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
}
