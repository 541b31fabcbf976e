using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Akka.Jobs.Contracts;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Domain.Jobs;

/// <summary>
/// One fan-out item of a run. <see cref="Attempt"/> is the last attempt number used (0 = none yet);
/// <see cref="FailedAttempt"/> the highest one whose failure is recorded, so a repeated report is not decided twice;
/// <see cref="RetryNotBeforeUtc"/> when the decided retry may start, which a dispatch after a fail-over still honours.
/// </summary>
public sealed record ItemState(string Key, int Attempt = 0, bool Done = false, bool Failed = false, string? Error = null, string? Node = null,
    int FailedAttempt = 0, DateTimeOffset? RetryNotBeforeUtc = null);

/// <summary>A run that has been accepted and not yet finished (or, in history, a finished one).</summary>
public sealed record RunState(
    string RunId,
    DateTimeOffset ScheduledUtc,
    TriggerKind Trigger,
    DateTimeOffset AcceptedUtc,
    DateTimeOffset? StartedUtc,
    ImmutableDictionary<string, ItemState> Items)
{
    // Items only change through WithItem, which keeps OpenCount and Attempts in step, so a fan-out step costs
    // O(log n) rather than a scan of every item. The counters are recounted whenever a run is built (new run,
    // snapshot read) and never serialized: a snapshot cannot carry a stale count, and its JSON shape is unchanged.
    public ImmutableDictionary<string, ItemState> Items { get; private init; } = Items;

    /// <summary>How many items have not succeeded or failed for good.</summary>
    [JsonIgnore]
    public int OpenCount { get; private init; } = Items.Values.Count(i => !i.Done);

    /// <summary>Highest attempt number of any item (item attempts only grow).</summary>
    [JsonIgnore]
    public int Attempts { get; private init; } = Items.IsEmpty ? 0 : Items.Values.Max(i => i.Attempt);

    /// <summary>Waiting for the running run to end (overlap buffer-one).</summary>
    [JsonIgnore]
    public bool Queued => StartedUtc is null;

    /// <summary>Items that have not succeeded or failed for good (a scan: for run start and resume only).</summary>
    [JsonIgnore]
    public IEnumerable<ItemState> OpenItems => Items.Values.Where(i => !i.Done);

    /// <summary>The node of the most recent attempt outcome.</summary>
    public string? Node { get; init; }

    /// <summary>The error of the most recent failure.</summary>
    public string? LastError { get; init; }

    /// <summary>The output of the most recently succeeded item.</summary>
    public string? LastOutput { get; init; }

    /// <summary>Who or what asked for a manual run (<c>triggered by ops</c>, <c>rerun of … by ops</c>).</summary>
    public string? Cause { get; init; }

    /// <summary>How many failed attempts a run keeps for display: the most recent ones.</summary>
    public const int FailedAttemptsKept = 10;

    /// <summary>How much of each failed attempt's error is kept for display (the whole error is in the journal event).</summary>
    public const int AttemptErrorKept = 300;

    /// <summary>The run's failed attempts, oldest first (the last <see cref="FailedAttemptsKept"/>).</summary>
    public ValueList<AttemptView> FailedAttempts { get; init; } = ValueList<AttemptView>.Empty;

    /// <summary>This run with the failed attempt <paramref name="f"/> added to <see cref="FailedAttempts"/>.</summary>
    public RunState WithFailedAttempt(AttemptFailed f)
    {
        var outcome = f.ErrorKind switch { JobState.RunDeadlineKind => "timed-out", JobState.LostKind => "lost", _ => "failed" };
        return this with { FailedAttempts = FailedAttempts.Add(new AttemptView(f.ItemKey, f.Attempt, f.Node, f.StartedUtc, f.FailedUtc, outcome, f.ErrorKind,
            f.Error.Length <= AttemptErrorKept ? f.Error : f.Error[..AttemptErrorKept] + "…"), FailedAttemptsKept) };
    }

    /// <summary>This run with <paramref name="item"/> replacing the item of the same key.</summary>
    public RunState WithItem(ItemState item)
    {
        var before = Items[item.Key];
        return this with
        {
            Items = Items.SetItem(item.Key, item),
            OpenCount = OpenCount + (before.Done ? 1 : 0) - (item.Done ? 1 : 0),
            Attempts = Math.Max(Attempts, item.Attempt),
        };
    }

    /// <summary>The view of this run while it is active.</summary>
    public RunView ToView(string jobId, int incarnation) => new(
        RunId, jobId, ScheduledUtc, StartedUtc, null,
        Queued ? RunStatus.Queued : RunStatus.Running, Trigger, Attempts, null, LastError, Node, Items.Count, Incarnation: incarnation,
        Cause: Cause, FailedAttempts: FailedAttempts.Count == 0 ? null : FailedAttempts);
}
