using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Schedules;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Domain.Scheduler;

/// <summary>The ticks to emit for one job now, and how far that brings its emission.</summary>
public sealed record DuePlan(IReadOnlyList<Tick> Ticks, DateTimeOffset LastEmittedUtc, bool More)
{
    public static DuePlan Nothing(DateTimeOffset lastEmitted) => new([], lastEmitted, false);
}

/// <summary>
/// Pure: which scheduled times in (lastEmitted, now] become runs and which become skips, applying
/// pause and the misfire policy. Long backlogs are worked off in chunks so a day of missed
/// every-second times never materialises at once; each chunk of old times is one range skip.
/// </summary>
public static class DuePlanner
{
    /// <summary>Runs of more skipped times than this become one range record.</summary>
    public const int IndividualSkipLimit = 20;

    /// <summary>Times looked at per plan before the rest is left for the next round.</summary>
    public const int ChunkSize = 1000;

    /// <summary>Times looked at ahead of now per plan (prepare-ahead with a very short interval).</summary>
    public const int AheadLimit = 100;

    /// <summary>
    /// The due plan, plus the times in (now, now + <paramref name="ahead"/>] as scheduled ticks, so that
    /// their runs are prepared before their time. Nothing is prepared ahead while a backlog is worked off.
    /// </summary>
    public static DuePlan Plan(ScheduledJob job, Schedule schedule, DateTimeOffset lastEmitted, DateTimeOffset now, DateTimeOffset covered,
        TimeSpan misfireThreshold, TimeSpan ahead)
    {
        var plan = Plan(job, schedule, lastEmitted, now, covered, misfireThreshold);
        if (plan.More || job.Paused || ahead <= TimeSpan.Zero) return plan;
        var from = plan.LastEmittedUtc > now ? plan.LastEmittedUtc : now;
        var future = schedule.Between(from, now + ahead, AheadLimit);
        if (future.Count == 0) return plan;
        var def = job.Definition;
        var ticks = plan.Ticks.Concat(future.Select(t => new Tick(def.Id, t, TriggerKind.Scheduled, def, covered, JobCreatedUtc: job.CreatedUtc))).ToList();
        return new DuePlan(ticks, future[^1], false);
    }

    public static DuePlan Plan(ScheduledJob job, Schedule schedule, DateTimeOffset lastEmitted, DateTimeOffset now, DateTimeOffset covered, TimeSpan misfireThreshold)
    {
        if (job.Paused) return DuePlan.Nothing(lastEmitted);
        var def = job.Definition;
        var lookahead = ChunkSize + def.MaxCatchUp + 1;
        var times = schedule.Between(lastEmitted, now, lookahead);
        if (times.Count == 0) return DuePlan.Nothing(lastEmitted);

        var ticks = new List<Tick>();
        if (times.Count == lookahead)
        {
            // More times remain after these; the oldest chunk cannot be among the ones to catch up.
            var chunk = times.Take(ChunkSize).ToList();
            AddSkips(ticks, def, covered, job.CreatedUtc, chunk.Where(t => IsPausedTime(job, t)).ToList(), job.PausedSkipReason);
            AddSkips(ticks, def, covered, job.CreatedUtc, chunk.Where(t => !IsPausedTime(job, t)).ToList(), MisfireReason(def));
            return new DuePlan(ticks, chunk[^1], true);
        }

        var paused = times.Where(t => IsPausedTime(job, t)).ToList();
        var rest = times.Where(t => !IsPausedTime(job, t)).ToList();
        var late = rest.Where(t => now - t > misfireThreshold).ToList();
        var onTime = rest.Where(t => now - t <= misfireThreshold).ToList();

        if (late.Count > 0 && def.Misfire == MisfirePolicy.FireOnce)
        {
            // One run stands for the whole backlog, including times that just came due with it.
            late = rest;
            onTime = [];
        }
        var catchUp = def.Misfire switch
        {
            MisfirePolicy.FireOnce => late.TakeLast(1).ToList(),
            MisfirePolicy.FireAll => late.TakeLast(def.MaxCatchUp).ToList(),
            _ => [],
        };
        var missed = late.Take(late.Count - catchUp.Count).ToList();

        AddSkips(ticks, def, covered, job.CreatedUtc, paused, job.PausedSkipReason);
        AddSkips(ticks, def, covered, job.CreatedUtc, missed, MisfireReason(def));
        ticks.AddRange(catchUp.Select(t => new Tick(def.Id, t, TriggerKind.CatchUp, def, covered, JobCreatedUtc: job.CreatedUtc)));
        ticks.AddRange(onTime.Select(t => new Tick(def.Id, t, TriggerKind.Scheduled, def, covered, JobCreatedUtc: job.CreatedUtc)));
        return new DuePlan(ticks, times[^1], false);
    }

    /// <summary>
    /// When a job's schedule is replaced at <paramref name="now"/>: the old <paramref name="schedule"/>'s times not yet
    /// emitted, through <paramref name="now"/> (a paused job's as paused skips), so that the new schedule applies from
    /// the change on and never to the times before it. Not cut into chunks: a long pause becomes a few range records.
    /// </summary>
    public static DuePlan PlanRest(ScheduledJob job, Schedule schedule, DateTimeOffset lastEmitted, DateTimeOffset now, DateTimeOffset covered,
        TimeSpan misfireThreshold)
    {
        var planned = job.Paused ? job with { Paused = false, SkipThroughUtc = now, SkipNote = job.PauseNote } : job;
        var ticks = new List<Tick>();
        var last = lastEmitted;
        while (true)
        {
            var plan = Plan(planned, schedule, last, now, covered, misfireThreshold);
            ticks.AddRange(plan.Ticks);
            last = plan.LastEmittedUtc;
            if (!plan.More) break;
        }
        return new DuePlan(ticks, last > now ? last : now, false);
    }

    /// <summary>The same reason whether a missed time falls in an early chunk or in the last plan.</summary>
    private static string MisfireReason(JobDefinition def) =>
        def.Misfire == MisfirePolicy.FireAll ? "misfire: beyond max-catch-up" : "misfire";

    private static bool IsPausedTime(ScheduledJob job, DateTimeOffset t) => job.SkipThroughUtc is { } through && t <= through;

    /// <summary>
    /// The skip ticks for the times of <paramref name="range"/> that <paramref name="decided"/> does not
    /// cover: a range the job actor refused because part of it was already decided, re-cut. A decided instant
    /// between two schedule times (a manual trigger's) also cuts, so that no new range contains it: otherwise
    /// the same range would be refused and re-cut forever, and its times never recorded.
    /// </summary>
    public static IReadOnlyList<Tick> Recut(Tick range, Schedule schedule, IReadOnlyList<SkipSpan> decided)
    {
        var ticks = new List<Tick>();
        var group = new List<DateTimeOffset>();
        // A range of the last plan can stand for more than a chunk (up to ChunkSize + max-catch-up times).
        var times = schedule.Between(range.ScheduledUtc.AddTicks(-1), range.SkippedThroughUtc ?? range.ScheduledUtc, Math.Max(range.SkippedCount, 1) + 1);
        DateTimeOffset? previous = null;
        foreach (var t in times)
        {
            var decidedAt = decided.Any(s => s.Contains(t));
            var decidedBefore = previous is { } p && decided.Any(s => s.Overlaps(p.AddTicks(1), t.AddTicks(-1)));
            previous = t;
            if (decidedAt || decidedBefore)
            {
                AddSkips(ticks, range.Definition, range.CoveredUtc, range.JobCreatedUtc, group, range.SkipReason ?? "misfire");
                group = [];
            }
            if (!decidedAt) group.Add(t);
        }
        AddSkips(ticks, range.Definition, range.CoveredUtc, range.JobCreatedUtc, group, range.SkipReason ?? "misfire");
        return ticks;
    }

    private static void AddSkips(List<Tick> ticks, JobDefinition def, DateTimeOffset covered, DateTimeOffset? created, IReadOnlyList<DateTimeOffset> times,
        string reason)
    {
        if (times.Count == 0) return;
        if (times.Count <= IndividualSkipLimit)
        {
            ticks.AddRange(times.Select(t => new Tick(def.Id, t, TriggerKind.Scheduled, def, covered, reason, JobCreatedUtc: created)));
            return;
        }
        ticks.Add(new Tick(def.Id, times[0], TriggerKind.Scheduled, def, covered, reason, times[^1], times.Count, created));
    }
}
