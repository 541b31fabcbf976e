using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Actors.Supervision;

/// <summary>One fan-out item of a run. <see cref="Attempt"/> is the last attempt number used (0 = none yet).</summary>
public sealed record ItemState(string Key, int Attempt = 0, bool Done = false, bool Failed = false, string? Error = null, string? Node = null);

/// <summary>A run that has been accepted and not yet finished (or, in history, a finished one).</summary>
public sealed record RunState(
    string RunId,
    DateTimeOffset ScheduledUtc,
    TriggerKind Trigger,
    DateTimeOffset AcceptedUtc,
    DateTimeOffset? StartedUtc,
    ImmutableDictionary<string, ItemState> Items)
{
    /// <summary>Waiting for the running run to end (overlap buffer-one).</summary>
    [JsonIgnore]
    public bool Queued => StartedUtc is null;

    /// <summary>Items that have not succeeded or failed for good.</summary>
    [JsonIgnore]
    public IEnumerable<ItemState> OpenItems => Items.Values.Where(i => !i.Done);

    /// <summary>Highest attempt number of any item.</summary>
    [JsonIgnore]
    public int Attempts => Items.Count == 0 ? 0 : Items.Values.Max(i => i.Attempt);

    /// <summary>The node of the most recent attempt outcome.</summary>
    public string? Node { get; init; }

    /// <summary>The error of the most recent failure.</summary>
    public string? LastError { get; init; }

    /// <summary>The output of the most recently succeeded item.</summary>
    public string? LastOutput { get; init; }

    /// <summary>The view of this run while it is active.</summary>
    public RunView ToView(string jobId) => new(
        RunId, jobId, ScheduledUtc, StartedUtc, null,
        Queued ? RunStatus.Queued : RunStatus.Running, Trigger, Attempts, null, LastError, Node, Items.Count);
}
