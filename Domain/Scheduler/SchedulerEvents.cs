using Akka.Jobs.Contracts;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Domain.Scheduler;

/// <summary>An event in the scheduler's journal (persistence id <c>scheduler</c>).</summary>
public interface ISchedulerEvent : IJobsMessage;

/// <summary>A job was created or its definition replaced.</summary>
public sealed record JobDefined(JobDefinition Definition, DateTimeOffset AtUtc) : ISchedulerEvent;

/// <summary>A job was removed.</summary>
public sealed record JobUndefined(string JobId, DateTimeOffset AtUtc) : ISchedulerEvent;

/// <summary>
/// A job was paused (by a person, or automatically after repeated failures), or a paused job's note or end changed.
/// <see cref="Reason"/> is what the job shows; <see cref="Note"/> the operator's note, which the skipped times of the
/// pause carry (<c>paused: &lt;note&gt;</c>); the job resumes by itself at <see cref="UntilUtc"/>.
/// </summary>
public sealed record JobPaused(string JobId, string? Reason, DateTimeOffset AtUtc, DateTimeOffset? UntilUtc = null, string? Note = null,
    string? By = null) : ISchedulerEvent;

/// <summary>A paused job was resumed; its times up to <see cref="AtUtc"/> are recorded as skipped (paused).</summary>
public sealed record JobResumed(string JobId, DateTimeOffset AtUtc, string? By = null) : ISchedulerEvent;

/// <summary>
/// Checkpoint: for each job, every scheduled time at or before the watermark has been
/// acknowledged by its job actor and will not be emitted again after a fail-over. It also records
/// which jobs started or stopped having runs in flight (<see cref="Busy"/>, <see cref="Idle"/>):
/// a successor wakes the busy ones so their runs resume, and leaves every other job actor asleep.
/// </summary>
/// <see cref="Failures"/> holds the jobs whose failure streak changed, with its new length.
public sealed record WatermarksAdvanced(IReadOnlyDictionary<string, DateTimeOffset> Watermarks,
    IReadOnlyList<string>? Busy = null, IReadOnlyList<string>? Idle = null, IReadOnlyDictionary<string, int>? Failures = null) : ISchedulerEvent;
