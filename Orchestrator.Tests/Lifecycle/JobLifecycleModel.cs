using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Tests.Pipeline;

namespace Akka.Jobs.Tests.Lifecycle;

/// <summary>What one generated step does to the system (see <see cref="JobLifecycleModelTests"/>).</summary>
public enum OpKind
{
    /// <summary>PUT of job <see cref="Op.Job"/>: creates it, re-creates it after a delete, or (live) updates it.</summary>
    Create,
    /// <summary>PUT of a changed definition of a live job; ignored when the job is not live.</summary>
    Update,
    Pause,
    Resume,
    /// <summary>Manual run (TriggerJob); the model keeps the run id of the reply.</summary>
    Trigger,
    /// <summary>RemoveJob.</summary>
    Delete,
    /// <summary>Virtual time moves <see cref="Op.Millis"/> in steps of at most a second.</summary>
    Advance,
    /// <summary>Hard stop of the scheduler and its successor recovering from the journal.</summary>
    SchedulerFailover,
    /// <summary>The job's supervisor is stopped (its node died); the next message recovers it from its journal.</summary>
    KillSupervisor,
    /// <summary>The whole node: scheduler, every supervisor and worker stop; <see cref="Op.Millis"/> of downtime; start again.</summary>
    RestartNode,
}

/// <summary>One generated operation. Job ids are logical (0 = "a", 1 = "b"); each case maps them to fresh ids.</summary>
public sealed record Op(OpKind Kind, int Job = 0, int Schedule = 0, int? DurationMs = null, OverlapPolicy Overlap = OverlapPolicy.Forbid, int Millis = 0)
{
    /// <summary>The schedules a job can have: all fire on whole multiples of their period since the Unix epoch.</summary>
    public static readonly (string Text, TimeSpan Period)[] Schedules =
    [
        ("@every 1s", TimeSpan.FromSeconds(1)),
        ("@every 2s", TimeSpan.FromSeconds(2)),
        ("*/3 * * * * ?", TimeSpan.FromSeconds(3)),
    ];

    public static string Name(int job) => ((char)('a' + job)).ToString();

    public string ScheduleText => Schedules[Schedule].Text;

    public TimeSpan Period => Schedules[Schedule].Period;

    public object Parameters => DurationMs is { } ms ? new { durationMs = ms.ToString(CultureInfo.InvariantCulture) } : new { };

    public override string ToString() => Kind switch
    {
        OpKind.Create or OpKind.Update =>
            $"{Kind} {Name(Job)}: schedule '{ScheduleText}', {(DurationMs is { } ms ? $"durationMs {ms}" : "no duration")}, overlap {Overlap}",
        OpKind.Advance => $"Advance {Millis / 1000.0:0.###} s",
        OpKind.SchedulerFailover => "SchedulerFailover",
        OpKind.RestartNode => $"RestartNode (downtime {Millis / 1000.0:0.###} s)",
        _ => $"{Kind} {Name(Job)}",
    };

    /// <summary>The operations one per line, each with what it means in the state the earlier ones left.</summary>
    public static string Describe(IReadOnlyList<Op> ops, bool recreateExcluded)
    {
        var live = new bool[2];
        var created = new bool[2];
        var sb = new StringBuilder();
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var j = op.Job;
            var note = op.Kind switch
            {
                OpKind.Create when live[j] => "live: acts as an update",
                OpKind.Create when created[j] && recreateExcluded => "re-create excluded: skipped",
                OpKind.Create when created[j] => "RE-CREATE of a deleted id",
                OpKind.Create => "new job",
                OpKind.Update when !live[j] => "no live job: ignored",
                OpKind.Pause or OpKind.Resume or OpKind.Trigger or OpKind.Delete when !live[j] => "no live job: expects NotFound",
                _ => null,
            };
            switch (op.Kind)
            {
                case OpKind.Create when !live[j] && !(created[j] && recreateExcluded):
                    live[j] = created[j] = true;
                    break;
                case OpKind.Delete:
                    live[j] = false;
                    break;
            }
            sb.Append(CultureInfo.InvariantCulture, $"  {i + 1,2}. {op}");
            if (note is not null) sb.Append(CultureInfo.InvariantCulture, $"   [{note}]");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}

/// <summary>The schedule in force from <see cref="FromUtc"/> (creation or the update that set it).</summary>
public sealed record Segment(DateTimeOffset FromUtc, string Schedule, TimeSpan Period);

/// <summary>A pause; open while <see cref="ToUtc"/> is null.</summary>
public sealed class PauseSpan(DateTimeOffset fromUtc)
{
    public DateTimeOffset FromUtc { get; } = fromUtc;
    public DateTimeOffset? ToUtc { get; set; }
}

/// <summary>A trigger the scheduler accepted, with the run id its reply named.</summary>
public sealed record AcceptedTrigger(string RunId, DateTimeOffset AtUtc);

/// <summary>One life of a job id, from its creation to its deletion.</summary>
public sealed class Incarnation(int number, DateTimeOffset createdUtc, JobDefinition definition)
{
    public int Number { get; } = number;
    public DateTimeOffset CreatedUtc { get; } = createdUtc;
    public DateTimeOffset? DeletedUtc { get; set; }
    public JobDefinition Definition { get; set; } = definition;
    public List<Segment> Segments { get; } = [];
    public List<PauseSpan> Pauses { get; } = [];
    public List<AcceptedTrigger> Triggers { get; } = [];

    public bool Paused => Pauses.Count > 0 && Pauses[^1].ToUtc is null;

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"incarnation {Number}: created {T(CreatedUtc)}");
        if (DeletedUtc is { } d) sb.Append(CultureInfo.InvariantCulture, $", deleted {T(d)}");
        sb.Append("; schedules ").AppendJoin(", ", Segments.Select(s => $"'{s.Schedule}' from {T(s.FromUtc)}"));
        if (Pauses.Count > 0) sb.Append("; paused ").AppendJoin(", ", Pauses.Select(p => $"{T(p.FromUtc)}..{(p.ToUtc is { } to ? T(to) : "end")}"));
        if (Triggers.Count > 0) sb.Append("; triggers ").AppendJoin(", ", Triggers.Select(t => $"{t.RunId} at {T(t.AtUtc)}"));
        return sb.ToString();
    }

    internal static string T(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}

/// <summary>The reference model of one logical job id: its incarnations, newest last.</summary>
public sealed class JobModel(string id)
{
    public string Id { get; } = id;
    public List<Incarnation> Incarnations { get; } = [];
    public Incarnation? Live => Incarnations.Count > 0 && Incarnations[^1].DeletedUtc is null ? Incarnations[^1] : null;
    public bool EverCreated => Incarnations.Count > 0;
}

/// <summary>
/// The oracle: what a live job's run history must look like after the sequence. Strict on exactly once,
/// lifetime, triggers and liveness; permissive where the product legitimately varies (which of run, overlap
/// skip, misfire skip or catch-up a time became; what happens within <see cref="Window"/> of a schedule change).
/// </summary>
public static partial class LifecycleOracle
{
    /// <summary>
    /// Slack around a schedule change: times up to prepare-ahead (0.5 s) after it may already have been emitted
    /// with the old schedule, and times up to a sweep interval (1 s) before it may be emitted with the new one.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// A time emitted before a fail-over may still be unacknowledged (lost with a killed supervisor, re-sent every
    /// tick-resend interval); a successor re-emits it only when the job is not paused.
    /// </summary>
    public static readonly TimeSpan UnacknowledgedSlack = TimeSpan.FromSeconds(8);

    [GeneratedRegex(@"\((\d+) times through ([^)]+)\)")]
    private static partial Regex RangePattern();

    private static bool IsTime(DateTimeOffset t, TimeSpan period) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % period.Ticks == 0;

    private static IEnumerable<DateTimeOffset> TimesIn(DateTimeOffset afterExclusive, DateTimeOffset throughInclusive, TimeSpan period)
    {
        var ticks = afterExclusive.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var k = Math.DivRem(ticks, period.Ticks, out var rem) + 1;
        if (rem < 0) k--;
        for (var t = new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + k * period.Ticks, TimeSpan.Zero); t <= throughInclusive; t += period)
            yield return t;
    }

    private sealed record Band(Segment Segment, DateTimeOffset AllowedAfter, DateTimeOffset AllowedThrough, DateTimeOffset RequiredAfter, DateTimeOffset RequiredThrough);

    /// <summary>
    /// Violations for the live incarnation <paramref name="inc"/> of a job, given its <paramref name="runs"/> (ListRuns),
    /// the handler calls for its id, the end of the sequence <paramref name="endCut"/> (before the settle) and the
    /// instants the scheduler was failed over or the node restarted.
    /// </summary>
    public static List<string> Check(Incarnation inc, IReadOnlyList<RunView> runs, IReadOnlyList<HandlerCall> calls,
        DateTimeOffset endCut, IReadOnlyList<DateTimeOffset> schedulerRestarts)
    {
        var violations = new List<string>();
        var created = inc.CreatedUtc;
        var openPause = inc.Paused ? inc.Pauses[^1] : null;

        // Times required through the end of the sequence; a job paused at the end only up to its pause.
        var requiredCut = endCut;
        if (openPause is not null)
        {
            requiredCut = Min(requiredCut, openPause.FromUtc - Window);
            var restartInPause = schedulerRestarts.Where(r => r >= openPause.FromUtc).Cast<DateTimeOffset?>().FirstOrDefault();
            if (restartInPause is { } r) requiredCut = Min(requiredCut, r - UnacknowledgedSlack);
        }

        var bands = new List<Band>();
        for (var i = 0; i < inc.Segments.Count; i++)
        {
            var seg = inc.Segments[i];
            var next = i + 1 < inc.Segments.Count ? inc.Segments[i + 1] : null;
            // An update while paused records the old schedule's paused times at the update; they are not required here
            // (a scheduler restarting before its checkpoint re-plans them under the new schedule at the resume).
            var pauseAtEnd = next is null ? null : PauseAt(inc, next.FromUtc);
            // A new schedule applies from the update on: the old one's times up to it are emitted under the old one
            // (paused ones as paused skips). Only a scheduler that restarts before its next checkpoint re-plans from its
            // watermark with the new schedule, so new-schedule times back to the job's creation are allowed then.
            var allowedAfter = created;
            if (i > 0 && !schedulerRestarts.Any(r => r >= seg.FromUtc - UnacknowledgedSlack))
                allowedAfter = Max(created, seg.FromUtc - Window);
            var allowedThrough = next is null ? DateTimeOffset.MaxValue : next.FromUtc + Window;
            var requiredAfter = i == 0 ? created : seg.FromUtc + Window;
            var requiredThrough = next is null ? requiredCut : Min(requiredCut, next.FromUtc - Window);
            if (pauseAtEnd is not null) requiredThrough = Min(requiredThrough, pauseAtEnd.FromUtc - Window);
            bands.Add(new Band(seg, allowedAfter, allowedThrough, requiredAfter, requiredThrough));
        }

        bool Allowed(DateTimeOffset t) => t > created && bands.Any(b => IsTime(t, b.Segment.Period) && t > b.AllowedAfter && t <= b.AllowedThrough);

        // Which records stand for which scheduled times.
        var cover = new Dictionary<DateTimeOffset, List<RunView>>();
        void Cover(DateTimeOffset t, RunView r)
        {
            if (!cover.TryGetValue(t, out var list)) cover[t] = list = [];
            list.Add(r);
        }

        var triggerIds = inc.Triggers.Select(t => t.RunId).ToHashSet();
        foreach (var r in runs)
        {
            if (r.ScheduledUtc < created || r.ScheduledUtc == created && r.Trigger != TriggerKind.Manual)
            {
                violations.Add($"record {Show(r)} lies before the creation of this incarnation at {Incarnation.T(created)} (an earlier incarnation's history?)");
                continue;
            }
            if (r.Trigger == TriggerKind.Manual)
            {
                if (!triggerIds.Contains(r.RunId))
                    violations.Add($"manual record {Show(r)} is not the run of any trigger accepted in this incarnation");
                Cover(r.ScheduledUtc, r);
                continue;
            }
            if (r.SkippedTimes > 1)
            {
                var m = RangePattern().Match(r.Reason ?? "");
                if (r.Status != RunStatus.Skipped || !m.Success ||
                    !DateTimeOffset.TryParse(m.Groups[2].Value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var through))
                {
                    violations.Add($"record {Show(r)} stands for {r.SkippedTimes} times but does not say through when");
                    Cover(r.ScheduledUtc, r);
                    continue;
                }
                if (!Allowed(r.ScheduledUtc) || !Allowed(through))
                    violations.Add($"range record {Show(r)} starts or ends outside the schedules in force ({Incarnation.T(r.ScheduledUtc)}..{Incarnation.T(through)})");
                var inRange = bands.SelectMany(b => TimesIn(r.ScheduledUtc.AddTicks(-1), through, b.Segment.Period)).Distinct().Where(Allowed).ToList();
                foreach (var t in inRange) Cover(t, r);
                continue;
            }
            if (!Allowed(r.ScheduledUtc))
                violations.Add($"record {Show(r)} is at a time that is no time of the schedule in force then");
            Cover(r.ScheduledUtc, r);
        }

        foreach (var group in runs.GroupBy(r => r.RunId).Where(g => g.Count() > 1))
            violations.Add($"run id {group.Key} appears {group.Count()} times");
        foreach (var (t, list) in cover.Where(kv => kv.Value.Distinct().Count() > 1).OrderBy(kv => kv.Key))
            violations.Add($"scheduled time {Incarnation.T(t)} has {list.Distinct().Count()} records: {string.Join("; ", list.Distinct().Select(Show))}");

        // (a) Every required time has exactly one record (a manual run at the very instant stands for it too: same run id).
        foreach (var b in bands)
            foreach (var t in TimesIn(b.RequiredAfter, b.RequiredThrough, b.Segment.Period))
                if (!cover.ContainsKey(t))
                    violations.Add($"scheduled time {Incarnation.T(t)} of '{b.Segment.Schedule}' has no record (neither a run nor a skip)");

        // (b) Every accepted trigger is visible under the run id its reply named.
        foreach (var trigger in inc.Triggers)
        {
            var run = runs.FirstOrDefault(r => r.RunId == trigger.RunId);
            if (run is null)
                violations.Add($"trigger accepted at {Incarnation.T(trigger.AtUtc)} named run {trigger.RunId}, which ListRuns does not show");
            else if (run.Status == RunStatus.Queued)
                violations.Add($"trigger run {Show(run)} is still queued after the settle period");
        }

        // Handlers take at most 1.5 s: a run of a time before the end of the sequence still in flight after the settle
        // period is stuck (e.g. queued behind runs that never let it start).
        foreach (var r in runs.Where(r => r.Trigger != TriggerKind.Manual && r.ScheduledUtc <= endCut && r.Status is RunStatus.Queued or RunStatus.Running))
            violations.Add($"run {Show(r)} of a time before the end of the sequence is still {r.Status} after the settle period");

        // (c) Handlers ran for the runs that say they succeeded, and a live job keeps running.
        var calledRuns = calls.Select(c => c.Context.RunId).ToHashSet();
        foreach (var r in runs.Where(r => r.Status == RunStatus.Succeeded && !calledRuns.Contains(r.RunId)))
            violations.Add($"run {Show(r)} succeeded but its handler was never called");
        if (openPause is null)
        {
            var ranAfterEnd = runs.Any(r => r.Trigger != TriggerKind.Manual && r.Status != RunStatus.Skipped && r.ScheduledUtc > endCut && calledRuns.Contains(r.RunId));
            if (!ranAfterEnd)
                violations.Add($"the live, unpaused job ran no scheduled time after the end of the sequence ({Incarnation.T(endCut)}): it stopped running");
        }
        else
        {
            // A schedule changed during the pause records the old schedule's times up to the change as paused skips.
            foreach (var r in runs.Where(r => r.Trigger != TriggerKind.Manual && r.ScheduledUtc > openPause.FromUtc + Window
                         && !(r.Status == RunStatus.Skipped && r.Reason?.StartsWith("paused", StringComparison.Ordinal) == true)))
                violations.Add($"record {Show(r)} at a time after the job was paused at {Incarnation.T(openPause.FromUtc)} (still paused)");
        }
        return violations;
    }

    private static PauseSpan? PauseAt(Incarnation inc, DateTimeOffset t) =>
        inc.Pauses.FirstOrDefault(p => p.FromUtc <= t && (p.ToUtc is null || p.ToUtc >= t));

    public static string Show(RunView r) =>
        $"{r.RunId} [{Incarnation.T(r.ScheduledUtc)} {r.Trigger} {r.Status}{(r.Reason is null ? "" : $" '{r.Reason}'")}]";

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
