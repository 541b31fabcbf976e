using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Contracts.Serialization;

namespace Akka.Jobs.Domain.Jobs;

/// <summary>
/// Everything a job actor knows, rebuilt from its journal. <c>Decide*</c> turn inputs into
/// events without side effects; <see cref="Apply"/> folds one event in. The actor only persists,
/// applies and performs the effects the new state implies.
/// </summary>
public sealed partial record JobState
{
    /// <summary>
    /// How many decided scheduled times are remembered for dedupe; older ticks count as decided. It bounds
    /// the snapshot size (2,000 times ≈ 70 KB of JSON); a tick can only fall out of it after 2,000 later
    /// times were decided, far beyond the scheduler's re-send window.
    /// </summary>
    public const int DecidedWindow = 2_000;

    /// <summary>How many finished runs are kept for queries.</summary>
    public const int HistoryLimit = 500;

    public required string JobId { get; init; }
    public JobDefinition? Definition { get; init; }
    public ImmutableSortedSet<DateTimeOffset> Decided { get; init; } = [];
    /// <summary>Every scheduled time at or before this is treated as decided (it left the window).</summary>
    public DateTimeOffset ForgottenUpTo { get; init; } = DateTimeOffset.MinValue;
    /// <summary>Ranges recorded by range skips (a long outage summarised in one record); newest last.</summary>
    public ImmutableList<SkipSpan> SkippedRanges { get; init; } = [];
    public ImmutableDictionary<string, RunState> Active { get; init; } = ImmutableDictionary<string, RunState>.Empty;
    /// <summary>Finished runs and skips, oldest first.</summary>
    public ImmutableList<RunView> History { get; init; } = [];
    public int ConsecutiveFailures { get; init; }
    /// <summary>The current incarnation was removed; a newer one starts with its first tick or wake-up.</summary>
    public bool Retired { get; init; }
    /// <summary>Which life of the job id this is: 1 for the first, one more each time the id is created again.</summary>
    public int Incarnation { get; init; } = 1;
    /// <summary>
    /// The scheduler's creation time of the incarnation served, which identifies it; null in a journal written
    /// before incarnations existed, until the first message from a current scheduler names it.
    /// </summary>
    public DateTimeOffset? IncarnationCreatedUtc { get; init; }

    public static JobState Empty(string jobId) => new() { JobId = jobId };

    public bool IsDecided(DateTimeOffset scheduledUtc) =>
        scheduledUtc <= ForgottenUpTo || Decided.Contains(scheduledUtc) || SkippedRanges.Any(r => r.Contains(scheduledUtc));

    /// <summary>What is already decided between <paramref name="from"/> and <paramref name="through"/>; empty when nothing is.</summary>
    public IReadOnlyList<SkipSpan> DecidedWithin(DateTimeOffset from, DateTimeOffset through)
    {
        var spans = new List<SkipSpan>();
        if (from <= ForgottenUpTo) spans.Add(new SkipSpan(from, ForgottenUpTo < through ? ForgottenUpTo : through));
        spans.AddRange(Decided.SkipWhile(t => t < from).TakeWhile(t => t <= through).Select(t => new SkipSpan(t, t)));
        spans.AddRange(SkippedRanges.Where(r => r.Overlaps(from, through)));
        return spans;
    }

    [JsonIgnore]
    public IEnumerable<RunState> Running => Active.IsEmpty ? [] : Active.Values.Where(r => !r.Queued);

    // ---------------------------------------------------------------- decisions

    /// <summary>
    /// Decides a tick. Empty when it is a duplicate (already decided) or for a removed incarnation (see
    /// <see cref="IsStale"/>); a tick of a newer incarnation starts it first.
    /// </summary>
    public IReadOnlyList<IJobEvent> DecideTick(Tick tick, DateTimeOffset now)
    {
        if (IsStale(tick.JobCreatedUtc)) return [];
        if (IsPristine) return (this with { IncarnationCreatedUtc = tick.JobCreatedUtc }).DecideTickInIncarnation(tick, now);
        var (begin, state) = Incarnate(tick.JobCreatedUtc, now);
        return begin.Count == 0 ? DecideTickInIncarnation(tick, now) : [.. begin, .. state.DecideTickInIncarnation(tick, now)];
    }

    private IReadOnlyList<IJobEvent> DecideTickInIncarnation(Tick tick, DateTimeOffset now)
    {
        if (Retired || IsDecided(tick.ScheduledUtc)) return [];
        // A range must not cover a time that was decided on its own (e.g. before a fail-over); the actor
        // answers such a range with the decided spans instead.
        if (tick.SkippedThroughUtc is { } through && DecidedWithin(tick.ScheduledUtc, through).Count > 0) return [];
        var events = new List<IJobEvent>();
        if (!SameDefinition(Definition, tick.Definition))
        {
            events.Add(new DefinitionAdopted(JobId, tick.Definition, IncarnationCreatedUtc));
            events.AddRange(StartQueuedUnder(tick.Definition, now));
        }
        var runId = RunIdFor(tick.ScheduledUtc);

        if (tick.SkipReason is not null)
        {
            events.Add(new RunSkipped(JobId, runId, tick.ScheduledUtc, tick.Trigger, tick.SkipReason, now, tick.SkippedThroughUtc, tick.SkippedCount));
            return events;
        }

        var items = tick.Definition.ItemKeys().ToArray();
        var running = Active.IsEmpty ? [] : Running.ToList();
        // A tick prepared ahead of its time starts at that time (the worker waits for it).
        DateTimeOffset? startAt = tick.Trigger == TriggerKind.Scheduled && tick.ScheduledUtc > now ? tick.ScheduledUtc : null;
        if (running.Count == 0)
        {
            events.Add(new RunAccepted(JobId, runId, tick.ScheduledUtc, tick.Trigger, now, false, items, startAt, tick.Cause));
            return events;
        }

        switch (tick.Definition.Overlap)
        {
            case OverlapPolicy.Allow:
                events.Add(new RunAccepted(JobId, runId, tick.ScheduledUtc, tick.Trigger, now, false, items, startAt, tick.Cause));
                break;
            case OverlapPolicy.Replace:
                // Queued runs too: under replace nothing would ever start them.
                events.AddRange(Active.Values.Select(r => new RunFinished(JobId, r.RunId, RunStatus.Cancelled, now, $"replaced by {runId}", null)));
                events.Add(new RunAccepted(JobId, runId, tick.ScheduledUtc, tick.Trigger, now, false, items, startAt, tick.Cause));
                break;
            case OverlapPolicy.BufferOne when !Active.Values.Any(r => r.Queued):
                events.Add(new RunAccepted(JobId, runId, tick.ScheduledUtc, tick.Trigger, now, true, items, Cause: tick.Cause));
                break;
            default:
                events.Add(new RunSkipped(JobId, runId, tick.ScheduledUtc, tick.Trigger, "overlap", now));
                break;
        }
        return events;
    }

    /// <summary>
    /// Whether a tick that came ahead of its time must wait for it before being decided: when another
    /// run is in flight, the overlap policy is applied to the state at the scheduled time, not now.
    /// </summary>
    public bool MustWaitForTime(Tick tick, DateTimeOffset now) =>
        tick.Trigger == TriggerKind.Scheduled && tick.ScheduledUtc > now && tick.SkipReason is null && !IsDecided(tick.ScheduledUtc)
        && tick.Definition.Overlap != OverlapPolicy.Allow && Running.Any() && !IsStale(tick.JobCreatedUtc) && !IsNewIncarnation(tick.JobCreatedUtc);

    /// <summary>
    /// A run queued under buffer-one waits for the running one to end; once the job allows overlapping runs it
    /// would wait forever (prepared runs keep one in flight), so it starts now.
    /// </summary>
    private IEnumerable<IJobEvent> StartQueuedUnder(JobDefinition definition, DateTimeOffset now) =>
        definition.Overlap == OverlapPolicy.Allow && !Active.IsEmpty
            ? Active.Values.Where(r => r.Queued).Select(r => new RunStarted(JobId, r.RunId, now)).ToList()
            : [];

    // ---------------------------------------------------------------- evolution

    /// <summary>Folds one event into the state. Pure and total: unknown runs are ignored.</summary>
    public JobState Apply(IJobEvent e) => e switch
    {
        DefinitionAdopted d => this with { Definition = d.Definition, IncarnationCreatedUtc = d.JobCreatedUtc ?? IncarnationCreatedUtc },
        RunAccepted a => Remember(a.ScheduledUtc) with
        {
            Active = Active.SetItem(a.RunId, new RunState(a.RunId, a.ScheduledUtc, a.Trigger, a.AcceptedUtc, a.Queued ? null : a.StartUtc ?? a.AcceptedUtc,
                a.Items.ToImmutableDictionary(k => k, k => new ItemState(k))) { Cause = a.Cause }),
        },
        RunSkipped { ThroughUtc: { } through } s when through > s.ScheduledUtc => RememberRange(s.ScheduledUtc, through).Record(new RunView(s.RunId, JobId, s.ScheduledUtc, null, s.DecidedUtc, RunStatus.Skipped, s.Trigger, 0,
            $"{s.Reason} ({s.Count} times through {through:O})", null, null, 0, s.Count, Incarnation: Incarnation)),
        RunSkipped s => Remember(s.ScheduledUtc).Record(new RunView(s.RunId, JobId, s.ScheduledUtc, null, s.DecidedUtc, RunStatus.Skipped, s.Trigger, 0,
            s.Count > 1 ? $"{s.Reason} ({s.Count} times through {s.ThroughUtc:O})" : s.Reason, null, null, 0, s.Count, Incarnation: Incarnation)),
        RunStarted st => UpdateRun(st.RunId, r => r with { StartedUtc = st.StartedUtc }),
        AttemptFailed f => UpdateRun(f.RunId, r => (r.WithItem(r.Items[f.ItemKey] with
        {
            // A retry's number is used from the decision on: a job actor recovered before it ran never hands it out again.
            Attempt = Math.Max(r.Items[f.ItemKey].Attempt, Math.Max(f.Attempt, (f.NextAttempt ?? 0) - 1)),
            FailedAttempt = Math.Max(r.Items[f.ItemKey].FailedAttempt, f.Attempt),
            RetryNotBeforeUtc = f.WillRetry ? f.RetryNotBeforeUtc : null,
            Done = !f.WillRetry,
            Failed = !f.WillRetry,
            Error = $"{f.ErrorKind}: {f.Error}",
            Node = f.Node,
        }) with
        {
            Node = f.Node,
            LastError = $"{f.ErrorKind}: {f.Error}",
        }).WithFailedAttempt(f)),
        ItemSucceeded s => UpdateRun(s.RunId, r => r.WithItem(r.Items[s.ItemKey] with { Attempt = Math.Max(r.Items[s.ItemKey].Attempt, s.Attempt), Done = true, Node = s.Node }) with
        {
            Node = s.Node,
            LastOutput = s.Output,
        }),
        RunResumed rr => UpdateRun(rr.RunId, r => r.OpenItems.Aggregate(r, (acc, i) => acc.WithItem(i with { Attempt = i.Attempt + 1 }))),
        RunFinished f => FinishRun(f),
        JobRetired => this with { Retired = true },
        JobIncarnated i when i.Incarnation == Incarnation => this with { IncarnationCreatedUtc = i.JobCreatedUtc },
        // A new life: nothing of the old one's schedule, runs or failures carries over; its history stays, marked.
        JobIncarnated i => new JobState { JobId = JobId, Incarnation = i.Incarnation, IncarnationCreatedUtc = i.JobCreatedUtc, History = History },
        _ => this,
    };

    private JobState FinishRun(RunFinished f)
    {
        if (!Active.TryGetValue(f.RunId, out var run)) return this;
        var failures = f.Status switch
        {
            RunStatus.Succeeded => 0,
            RunStatus.Failed or RunStatus.TimedOut or RunStatus.Interrupted => ConsecutiveFailures + 1,
            _ => ConsecutiveFailures,
        };
        // A run prepared ahead starts at its scheduled time: one that ended before that time with no attempt recorded
        // (cancelled, removed) never started. Compared only then: a worker's clock may differ from this node's.
        var started = run.StartedUtc is { } s && (s <= run.AcceptedUtc || run.Attempts > 0 || s <= f.FinishedUtc) ? s : (DateTimeOffset?)null;
        // A run that started has used at least the attempt that was in progress when it ended.
        var attempts = started is null ? run.Attempts : Math.Max(1, run.Attempts);
        var reason = started is null && f.Status != RunStatus.Succeeded ? $"{f.Reason ?? f.Status.ToString().ToLowerInvariant()} (never started)" : f.Reason;
        var view = new RunView(run.RunId, JobId, run.ScheduledUtc, started, f.FinishedUtc, f.Status, run.Trigger, attempts,
            reason, f.Error ?? (f.Status == RunStatus.Succeeded ? null : run.LastError), run.Node, run.Items.Count, Output: run.LastOutput,
            Incarnation: Incarnation, Cause: run.Cause, FailedAttempts: run.FailedAttempts.Count == 0 ? null : run.FailedAttempts);
        return (this with { Active = Active.Remove(f.RunId), ConsecutiveFailures = failures }).Record(view);
    }

    private JobState UpdateRun(string runId, Func<RunState, RunState> update) =>
        Active.TryGetValue(runId, out var run) ? this with { Active = Active.SetItem(runId, update(run)) } : this;

    private JobState Remember(DateTimeOffset scheduledUtc)
    {
        var decided = Decided.Add(scheduledUtc);
        var forgotten = ForgottenUpTo;
        while (decided.Count > DecidedWindow)
        {
            forgotten = decided.Min;
            decided = decided.Remove(decided.Min);
        }
        return this with { Decided = decided, ForgottenUpTo = forgotten };
    }

    /// <summary>How many range records are kept for dedupe; older ones fold into <see cref="ForgottenUpTo"/>.</summary>
    public const int RangeWindow = 200;

    private JobState RememberRange(DateTimeOffset from, DateTimeOffset through)
    {
        var state = Remember(from);
        var ranges = state.SkippedRanges.Add(new SkipSpan(from, through));
        var forgotten = state.ForgottenUpTo;
        while (ranges.Count > RangeWindow)
        {
            if (ranges[0].Through > forgotten) forgotten = ranges[0].Through;
            ranges = ranges.RemoveAt(0);
        }
        return state with { SkippedRanges = ranges, ForgottenUpTo = forgotten };
    }

    private JobState Record(RunView view)
    {
        var history = History.Add(view);
        if (history.Count > HistoryLimit) history = history.RemoveRange(0, history.Count - HistoryLimit);
        return this with { History = history };
    }

    // ---------------------------------------------------------------- snapshots

    /// <summary>
    /// Whether a snapshot is due after <paramref name="eventsSinceSnapshot"/> events. A snapshot costs O(its
    /// size), and a fan-out run puts every item in it: at a fixed interval a 100,000-item run would write
    /// quadratic bytes. Waiting at least as many events as the state has items keeps snapshot I/O O(1) per
    /// event, and recovery (one snapshot plus at most that many events) linear.
    /// </summary>
    public bool SnapshotDue(int eventsSinceSnapshot, int every) => eventsSinceSnapshot >= every && eventsSinceSnapshot >= SnapshotWeight();

    /// <summary>The entries of a snapshot that grow with fan-out size: the definition's entities and the active items.</summary>
    public int SnapshotWeight() => (Definition?.Entities.Count ?? 0) + Active.Values.Sum(r => r.Items.Count);

    // ---------------------------------------------------------------- queries

    /// <summary>Active and finished runs of one incarnation (the current one when null), newest scheduled time first.</summary>
    public IReadOnlyList<RunView> Runs(int limit, RunStatus? status, int? incarnation = null) =>
        (incarnation is { } n && n != Incarnation ? [] : Active.Values.Select(r => r.ToView(JobId, Incarnation)))
            .Concat(History.Where(v => v.Incarnation == (incarnation ?? Incarnation)))
            .Where(v => status is null || v.Status == status)
            .OrderByDescending(v => v.ScheduledUtc)
            .Take(limit)
            .ToList();

    /// <summary>
    /// Definitions compare by their JSON form (parameters are JSON, lists compare by content). Ticks
    /// sent within one node carry the very instance adopted before, which skips the serialization.
    /// </summary>
    public static bool SameDefinition(JobDefinition? a, JobDefinition? b) =>
        ReferenceEquals(a, b) || a is not null && b is not null &&
        JsonSerializer.Serialize(a, JobsJson.Options) == JsonSerializer.Serialize(b, JobsJson.Options);

    private static string? Trim(string? text) => text is { Length: > 4096 } ? text[^4096..] : text;
}
