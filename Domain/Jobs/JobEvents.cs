using Akka.Jobs.Contracts;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Domain.Jobs;

/// <summary>An event in a job actor's journal (<c>job-{jobId}</c>); tagged <see cref="JobEventTags.Run"/>.</summary>
public interface IJobEvent : IWithJobId;

/// <summary>Tags for projections.</summary>
public static class JobEventTags
{
    /// <summary>Every run lifecycle event carries this tag.</summary>
    public const string Run = "run";
}

/// <summary>
/// The job actor now runs the job with this definition. <see cref="JobCreatedUtc"/> names the incarnation it
/// belongs to (see <see cref="JobIncarnated"/>): a new job's first event records it without an event of its own.
/// </summary>
public sealed record DefinitionAdopted(string JobId, JobDefinition Definition, DateTimeOffset? JobCreatedUtc = null) : IJobEvent;

/// <summary>
/// A scheduled time became a run; queued runs start when the current one ends. A run accepted
/// ahead of its time (prepare-ahead) starts at <see cref="StartUtc"/>, its scheduled time. <see cref="Cause"/> says who
/// asked for a manual run.
/// </summary>
public sealed record RunAccepted(
    string JobId,
    string RunId,
    DateTimeOffset ScheduledUtc,
    TriggerKind Trigger,
    DateTimeOffset AcceptedUtc,
    bool Queued,
    IReadOnlyList<string> Items,
    DateTimeOffset? StartUtc = null,
    string? Cause = null) : IJobEvent;

/// <summary>A scheduled time (or a range of <see cref="Count"/> of them) that will not run, with why.</summary>
public sealed record RunSkipped(
    string JobId,
    string RunId,
    DateTimeOffset ScheduledUtc,
    TriggerKind Trigger,
    string Reason,
    DateTimeOffset DecidedUtc,
    DateTimeOffset? ThroughUtc = null,
    int Count = 1) : IJobEvent;

/// <summary>A queued run started.</summary>
public sealed record RunStarted(string JobId, string RunId, DateTimeOffset StartedUtc) : IJobEvent;

/// <summary>
/// One attempt of one item failed, with the decision: <see cref="WillRetry"/> says whether attempt
/// <see cref="NextAttempt"/> follows, not before <see cref="RetryNotBeforeUtc"/> (both null in journals written before
/// the job actor decided retries: the attempt after the failed one, at once).
/// </summary>
public sealed record AttemptFailed(
    string JobId,
    string RunId,
    string ItemKey,
    int Attempt,
    string Node,
    DateTimeOffset StartedUtc,
    DateTimeOffset FailedUtc,
    string ErrorKind,
    string Error,
    bool WillRetry,
    int? NextAttempt = null,
    DateTimeOffset? RetryNotBeforeUtc = null) : IJobEvent;

/// <summary>One item succeeded.</summary>
public sealed record ItemSucceeded(
    string JobId,
    string RunId,
    string ItemKey,
    int Attempt,
    string Node,
    DateTimeOffset StartedUtc,
    DateTimeOffset FinishedUtc,
    string? Output) : IJobEvent;

/// <summary>A run ended.</summary>
public sealed record RunFinished(string JobId, string RunId, RunStatus Status, DateTimeOffset FinishedUtc, string? Reason, string? Error) : IJobEvent;

/// <summary>
/// A recovered job actor resumed a run whose node died: each unfinished item's interrupted attempt
/// counts as used, and the items are dispatched again with the next attempt number.
/// </summary>
public sealed record RunResumed(string JobId, string RunId, DateTimeOffset ResumedUtc) : IJobEvent;

/// <summary>The job was removed; nothing more runs in this incarnation.</summary>
public sealed record JobRetired(string JobId, DateTimeOffset RetiredUtc) : IJobEvent;

/// <summary>
/// The job actor serves the job's incarnation created by the scheduler at <see cref="JobCreatedUtc"/>. A higher
/// <see cref="Incarnation"/> than the current one starts a new life of the id: scheduled times, runs in flight,
/// failure counts and the retired mark start afresh (history is kept, marked per incarnation). The same number
/// only records which incarnation a journal written before incarnations existed belongs to.
/// </summary>
public sealed record JobIncarnated(string JobId, int Incarnation, DateTimeOffset JobCreatedUtc, DateTimeOffset AtUtc) : IJobEvent;
