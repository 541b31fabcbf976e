using Akka.Jobs.Contracts;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Domain.Protocol;

/// <summary>
/// One scheduled time of one job, sent by the scheduler until the job actor acknowledges it.
/// <see cref="SkipReason"/> set means the scheduler already decided it is not to run (paused,
/// misfire); the job actor records it as skipped. <see cref="SkippedThroughUtc"/> and
/// <see cref="SkippedCount"/> let one tick stand for a long range of skipped times.
/// <see cref="CoveredUtc"/> is the scheduler's watermark for the job: no tick at or before it will
/// ever be sent again, so the job actor may forget decided times up to it.
/// <see cref="JobCreatedUtc"/> names the job's incarnation: the scheduler's creation time of the job, which
/// only grows when an id is deleted and created again (null from nodes of older versions).
/// <see cref="Cause"/> says who asked for a manual run (and which run it repeats).
/// </summary>
public sealed record Tick(
    string JobId,
    DateTimeOffset ScheduledUtc,
    TriggerKind Trigger,
    JobDefinition Definition,
    DateTimeOffset CoveredUtc,
    string? SkipReason = null,
    DateTimeOffset? SkippedThroughUtc = null,
    int SkippedCount = 1,
    DateTimeOffset? JobCreatedUtc = null,
    string? Cause = null) : IWithJobId;

/// <summary>
/// The job actor has durably decided the tick (run or skip, or it was a duplicate). For a range
/// tick that overlaps times already decided, nothing is recorded and <see cref="DecidedSpans"/>
/// lists what is decided inside the range, so the scheduler can re-send only the rest.
/// <see cref="Busy"/> says whether the job has runs in flight after the decision, as of the
/// job actor's journal position <see cref="Seq"/> (newer reports win; see <see cref="JobIdle"/>).
/// <see cref="RunId"/> is the id the job actor gave the time in its incarnation. <see cref="Stale"/>: the tick
/// belongs to an incarnation of the job that was removed (or replaced by a newer one), so nothing was recorded;
/// <see cref="JobCreatedUtc"/> echoes the tick's, so an acknowledgement is matched to the incarnation it is for.
/// </summary>
/// <see cref="Failures"/> is the job's failure streak as of <see cref="Seq"/>, as on <see cref="JobIdle"/> (a job that is never
/// idle reports it this way).
public sealed record TickAck(string JobId, DateTimeOffset ScheduledUtc, string RunId, bool Duplicate, IReadOnlyList<SkipSpan>? DecidedSpans = null,
    bool Busy = false, long Seq = 0, bool Stale = false, DateTimeOffset? JobCreatedUtc = null, int? Failures = null) : IWithJobId;

/// <summary>
/// A job actor has no run in flight any more (as of its journal position <see cref="Seq"/>). The
/// scheduler then stops counting the job among those to wake after a fail-over or a lost node.
/// <see cref="Failures"/> is the job's failure streak (consecutive failed runs) as of then, which the scheduler shows
/// on the job (null from nodes of older versions: unknown).
/// </summary>
public sealed record JobIdle(string JobId, long Seq, int? Failures = null) : IWithJobId;

/// <summary>Scheduled times from <see cref="From"/> through <see cref="Through"/> (inclusive) that are decided.</summary>
public sealed record SkipSpan(DateTimeOffset From, DateTimeOffset Through)
{
    public bool Contains(DateTimeOffset t) => t >= From && t <= Through;

    public bool Overlaps(DateTimeOffset from, DateTimeOffset through) => From <= through && Through >= from;
}

/// <summary>
/// Starts (recovers) a job's actor and hands it the current definition: sent by a (new)
/// scheduler to jobs that had runs in flight, after a node was lost, and shortly before a job whose
/// job actor has probably passivated is due, so its recovery is not on the due time's path.
/// <see cref="JobCreatedUtc"/> names the incarnation, as on <see cref="Tick"/>.
/// </summary>
public sealed record WakeJob(string JobId, JobDefinition Definition, DateTimeOffset? JobCreatedUtc = null) : IWithJobId;

/// <summary>
/// Sent by the scheduler to each job with runs in flight when a node left the cluster (its address,
/// as workers report it): the job actor starts if it was on that node, and records that node's work
/// lost at once instead of a work-lease later.
/// </summary>
public sealed record NodeRemoved(string JobId, string Node) : IWithJobId;

/// <summary>
/// The job's incarnation created at <see cref="JobCreatedUtc"/> was removed: cancel its runs in flight and accept
/// no more ticks of it. A later incarnation of the same id starts afresh with its first tick.
/// </summary>
public sealed record RetireJob(string JobId, DateTimeOffset? JobCreatedUtc = null) : IWithJobId;

/// <summary>
/// Sent by a job actor when the job's consecutive failures reached its pause-after; <see cref="JobCreatedUtc"/>
/// names the incarnation, so a late one does not pause the job created again after it.
/// </summary>
public sealed record AutoPauseJob(string JobId, int ConsecutiveFailures, DateTimeOffset? JobCreatedUtc = null) : IWithJobId;

/// <summary>Wakes the scheduler's due-time check; sent by Quartz triggers and the safety-net timer.</summary>
public sealed record CheckDue(string? JobId) : IJobsMessage
{
    /// <summary>Check every job.</summary>
    public static readonly CheckDue All = new((string?)null);
}
