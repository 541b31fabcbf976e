using System.Collections.Immutable;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Domain.Scheduler;

/// <summary>
/// One job as the scheduler keeps it. A paused job shows <see cref="PausedReason"/>; with <see cref="PausedUntilUtc"/>
/// it resumes by itself then. <see cref="SkipNote"/> is the last pause's note, kept for the skips emitted after it ended.
/// </summary>
public sealed record ScheduledJob(
    JobDefinition Definition,
    DateTimeOffset CreatedUtc,
    DateTimeOffset UpdatedUtc,
    DateTimeOffset CoveredUtc,
    bool Paused = false,
    string? PausedReason = null,
    DateTimeOffset? PausedSinceUtc = null,
    DateTimeOffset? SkipThroughUtc = null,
    DateTimeOffset? PausedUntilUtc = null,
    string? PauseNote = null,
    string? SkipNote = null)
{
    /// <summary>
    /// The reason a time of the pause is recorded as skipped with: <c>paused</c>, or <c>paused: &lt;note&gt;</c> when
    /// the operator left a note (the current pause's, or the last one's for times emitted after the resume).
    /// </summary>
    public string PausedSkipReason => (Paused ? PauseNote : SkipNote) is { Length: > 0 } note ? $"paused: {note}" : "paused";
}

/// <summary>The scheduler's durable state: definitions, pause flags and watermarks.</summary>
public sealed record SchedulerState(ImmutableDictionary<string, ScheduledJob> Jobs)
{
    /// <summary>Failure streaks of the jobs whose last finished run failed (as of the last checkpoint); absent: 0.</summary>
    public ImmutableDictionary<string, int> Failures { get; init; } = ImmutableDictionary<string, int>.Empty;

    /// <summary>Jobs whose job actor last reported runs in flight (as of the last checkpoint).</summary>
    public ImmutableHashSet<string> Busy { get; init; } = ImmutableHashSet<string>.Empty;

    /// <summary>
    /// Creation time of the last incarnation of each removed job id. An id created again gets a later creation
    /// time, which is what tells its job actor that a new incarnation begins (see <see cref="CreationTimeFor"/>).
    /// </summary>
    public ImmutableDictionary<string, DateTimeOffset> Removed { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;

    /// <summary>
    /// The creation time a new job <paramref name="jobId"/> gets at <paramref name="now"/>: never at or before the
    /// creation of an earlier incarnation of the id, even when this node's clock is behind the one that created it.
    /// </summary>
    /// <summary>How long a removed id's creation time is kept: far beyond any clock difference between nodes.</summary>
    public static readonly TimeSpan RemovedMemory = TimeSpan.FromDays(1);

    /// <summary>Entries only matter while a node's clock could be behind them; older ones go, so the map stays small.</summary>
    private ImmutableDictionary<string, DateTimeOffset> PruneRemoved(DateTimeOffset now) =>
        Removed.RemoveRange(Removed.Where(kv => kv.Value < now - RemovedMemory).Select(kv => kv.Key).ToList());

    public DateTimeOffset CreationTimeFor(string jobId, DateTimeOffset now) =>
        Removed.TryGetValue(jobId, out var previous) && now <= previous ? previous.AddTicks(1) : now;

    public static readonly SchedulerState Empty = new(ImmutableDictionary<string, ScheduledJob>.Empty);

    /// <summary>Folds one event in. New jobs start covered at their creation: no times before it exist for them.</summary>
    public SchedulerState Apply(ISchedulerEvent e) => e switch
    {
        JobDefined d when Jobs.TryGetValue(d.Definition.Id, out var old) =>
            this with { Jobs = Jobs.SetItem(d.Definition.Id, old with { Definition = d.Definition, UpdatedUtc = d.AtUtc }) },
        JobDefined d => this with { Jobs = Jobs.SetItem(d.Definition.Id, new ScheduledJob(d.Definition, d.AtUtc, d.AtUtc, d.AtUtc)), Removed = Removed.Remove(d.Definition.Id) },
        JobUndefined u when Jobs.TryGetValue(u.JobId, out var gone) =>
            this with
            {
                Jobs = Jobs.Remove(u.JobId), Busy = Busy.Remove(u.JobId), Failures = Failures.Remove(u.JobId),
                Removed = PruneRemoved(u.AtUtc).SetItem(u.JobId, gone.CreatedUtc),
            },
        JobPaused p => Update(p.JobId, j => j with
        {
            Paused = true, PausedReason = p.Reason, PausedSinceUtc = j.Paused ? j.PausedSinceUtc : p.AtUtc, PausedUntilUtc = p.UntilUtc, PauseNote = p.Note,
        }),
        JobResumed r => Update(r.JobId, j => j with
        {
            Paused = false, PausedReason = null, PausedSinceUtc = null, SkipThroughUtc = r.AtUtc, PausedUntilUtc = null, PauseNote = null, SkipNote = j.PauseNote,
        }),
        WatermarksAdvanced w => w.Watermarks.Aggregate(WithActivity(w), (s, kv) =>
            s.Update(kv.Key, j => kv.Value > j.CoveredUtc ? j with { CoveredUtc = kv.Value } : j)),
        _ => this,
    };

    private SchedulerState WithActivity(WatermarksAdvanced w)
    {
        var state = w.Failures is { Count: > 0 } failures ? this with { Failures = WithFailures(failures) } : this;
        return state.WithBusy(w);
    }

    private ImmutableDictionary<string, int> WithFailures(IReadOnlyDictionary<string, int> changes)
    {
        var failures = Failures;
        foreach (var (id, streak) in changes)
            failures = streak > 0 && Jobs.ContainsKey(id) ? failures.SetItem(id, streak) : failures.Remove(id);
        return failures;
    }

    private SchedulerState WithBusy(WatermarksAdvanced w)
    {
        if (w.Busy is not { Count: > 0 } && w.Idle is not { Count: > 0 }) return this;
        var busy = Busy.Union((w.Busy ?? []).Where(Jobs.ContainsKey)).Except(w.Idle ?? []);
        return this with { Busy = busy };
    }

    private SchedulerState Update(string jobId, Func<ScheduledJob, ScheduledJob> f) =>
        Jobs.TryGetValue(jobId, out var j) ? this with { Jobs = Jobs.SetItem(jobId, f(j)) } : this;
}
