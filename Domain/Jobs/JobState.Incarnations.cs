using System.Text.Json.Serialization;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Domain.Jobs;

/// <summary>
/// Incarnations: the lives of one job id, which is deleted and created again. Messages name an incarnation by the
/// scheduler's creation time of the job; these decide whether a message is stale, starts a newer incarnation, or
/// belongs to the current one. One journal (<c>job-{id}</c>) holds every incarnation, in order.
/// </summary>
public sealed partial record JobState
{
    /// <summary>The id of this incarnation's run at <paramref name="scheduledUtc"/>.</summary>
    public string RunIdFor(DateTimeOffset scheduledUtc) => RunIds.For(JobId, scheduledUtc, Incarnation);

    /// <summary>
    /// Whether a message naming the incarnation created at <paramref name="created"/> is for a removed or
    /// superseded incarnation. Null (a node of an older version) means the current one.
    /// </summary>
    public bool IsStale(DateTimeOffset? created) => created switch
    {
        null => Retired,
        { } c when IncarnationCreatedUtc is { } mine => c < mine || (c == mine && Retired),
        // A journal from before incarnations: a live job is this incarnation; a retired one was an earlier.
        _ => false,
    };

    /// <summary>
    /// A tick is refused as stale unless it repeats a time this (retired) incarnation had decided before its removal:
    /// a re-sent trigger whose acknowledgement was lost is answered with the run that exists, not as refused.
    /// </summary>
    public bool IsRefused(Tick tick) =>
        IsStale(tick.JobCreatedUtc) && !(tick.JobCreatedUtc == IncarnationCreatedUtc && IsDecided(tick.ScheduledUtc));

    /// <summary>Whether <paramref name="created"/> names an incarnation after the one served (or retired) now.</summary>
    public bool IsNewIncarnation(DateTimeOffset? created) =>
        created is { } c && (IncarnationCreatedUtc is { } mine ? c > mine : Retired);

    /// <summary>
    /// What a message naming the incarnation created at <paramref name="created"/> starts: nothing for the current
    /// one; the end of the old incarnation's runs and a fresh state for a newer one; for a journal from before
    /// incarnations, only the record of which incarnation it is. Call only for messages that are not stale.
    /// </summary>
    public IReadOnlyList<IJobEvent> DecideIncarnation(DateTimeOffset? created, DateTimeOffset now)
    {
        if (created is not { } c || c == IncarnationCreatedUtc) return [];
        if (!IsNewIncarnation(c)) return [new JobIncarnated(JobId, Incarnation, c, now)];
        // The old incarnation's removal may not have reached this job actor: its runs end here.
        return [.. CancelAllRemoved(now), new JobIncarnated(JobId, Incarnation + 1, c, now)];
    }

    /// <summary><see cref="DecideIncarnation"/>'s events, and the state they lead to, on which the message is then decided.</summary>
    private (List<IJobEvent> Events, JobState State) Incarnate(DateTimeOffset? created, DateTimeOffset now)
    {
        var events = DecideIncarnation(created, now).ToList();
        return (events, events.Count == 0 ? this : events.Aggregate(this, (s, e) => s.Apply(e)));
    }

    /// <summary>Every run of the incarnation ends: the job (this life of it) was removed.</summary>
    private IEnumerable<IJobEvent> CancelAllRemoved(DateTimeOffset now) =>
        Active.Values.Select(r => new RunFinished(JobId, r.RunId, RunStatus.Cancelled, now, "job removed", null));

    /// <summary>
    /// A wake-up from the scheduler: starts the incarnation it names when that is newer, and adopts a changed
    /// definition. Empty for a removed incarnation or when nothing changed.
    /// </summary>
    public IReadOnlyList<IJobEvent> DecideWake(JobDefinition definition, DateTimeOffset? created, DateTimeOffset now)
    {
        if (IsStale(created)) return [];
        if (IsPristine) return [new DefinitionAdopted(JobId, definition, created)];
        var (events, state) = Incarnate(created, now);
        if (!state.Retired && !SameDefinition(state.Definition, definition))
        {
            events.Add(new DefinitionAdopted(JobId, definition, state.IncarnationCreatedUtc));
            events.AddRange(state.StartQueuedUnder(definition, now));
        }
        return events;
    }

    /// <summary>A job actor that has recorded nothing yet: its first definition also records its incarnation.</summary>
    [JsonIgnore]
    public bool IsPristine => Definition is null && IncarnationCreatedUtc is null && !Retired && Incarnation == 1 && Active.IsEmpty && History.IsEmpty;

    /// <summary>
    /// The incarnation created at <paramref name="created"/> was removed: cancel what runs and retire. An older
    /// incarnation's removal changes nothing; a newer one's (never seen here) is recorded, so its late ticks are dropped.
    /// </summary>
    public IReadOnlyList<IJobEvent> DecideRetire(DateTimeOffset? created, DateTimeOffset now)
    {
        if (IsStale(created)) return [];
        var (events, state) = Incarnate(created, now);
        if (state.Retired) return events;
        events.AddRange(state.CancelAllRemoved(now));
        events.Add(new JobRetired(JobId, now));
        return events;
    }

    /// <summary>
    /// The record of a manual trigger of an earlier incarnation at the tick's instant: a trigger re-sent after the
    /// job was deleted and created again is answered with the run that exists (manual instants never repeat).
    /// </summary>
    public RunView? EarlierTriggerRecord(Tick tick) =>
        tick.Trigger != TriggerKind.Manual ? null
            : History.LastOrDefault(v => v.Trigger == TriggerKind.Manual && v.ScheduledUtc == tick.ScheduledUtc && v.Incarnation < Incarnation);

    /// <summary>
    /// The incarnation a job created at <paramref name="created"/> is in: the next one when this job actor has not
    /// heard of it yet (its first tick has not come), so a query never shows a removed incarnation's runs as its own.
    /// </summary>
    public int CurrentIncarnationFor(DateTimeOffset? created) => IsNewIncarnation(created) ? Incarnation + 1 : Incarnation;
}
