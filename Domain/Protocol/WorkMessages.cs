using Akka.Jobs.Contracts;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Domain.Protocol;

/// <summary>A message for the worker entity of one (job, item).</summary>
public interface IWithWorkItem : IJobsMessage
{
    /// <summary>The job.</summary>
    string JobId { get; }

    /// <summary>The fan-out item key (<c>main</c> for jobs without fan-out).</summary>
    string ItemKey { get; }
}

/// <summary>Run one item of one run; the worker retries it under supervision up to the job's max attempts.</summary>
public sealed record ExecuteWork(
    string JobId,
    string RunId,
    string ItemKey,
    int FirstAttempt,
    DateTimeOffset ScheduledUtc,
    DateTimeOffset DeadlineUtc,
    JobDefinition Definition,
    DateTimeOffset? NotBeforeUtc = null) : IWithWorkItem;

/// <summary>The supervisor recorded the failed attempt; the worker may run <see cref="Attempt"/> after its backoff.</summary>
public sealed record RetryGranted(string JobId, string RunId, string ItemKey, int Attempt) : IWithWorkItem;

/// <summary>
/// The supervisor has persisted the item's final outcome for the run: the worker need not remember it to
/// answer a re-dispatch, and may leave memory.
/// </summary>
public sealed record WorkRecorded(string JobId, string RunId, string ItemKey) : IWithWorkItem;

/// <summary>Stop the item's attempts (run timed out, cancelled or replaced).</summary>
public sealed record CancelWork(string JobId, string RunId, string ItemKey, string Reason) : IWithWorkItem;

/// <summary>An attempt started on <see cref="Node"/>.</summary>
public sealed record WorkStarted(string JobId, string RunId, string ItemKey, int Attempt, string Node, DateTimeOffset StartedUtc) : IWithJobId;

/// <summary>The worker still works on the item (running an attempt or waiting for the next one).</summary>
public sealed record WorkHeartbeat(string JobId, string RunId, string ItemKey, int Attempt, string Node) : IWithJobId;

/// <summary>The item succeeded at <see cref="Attempt"/>.</summary>
public sealed record WorkSucceeded(string JobId, string RunId, string ItemKey, int Attempt, string Node, DateTimeOffset StartedUtc, DateTimeOffset FinishedUtc, string? Output) : IWithJobId;

/// <summary>
/// An attempt failed. <see cref="WillRetry"/> says whether the worker schedules another attempt
/// (after <see cref="RetryAtUtc"/>); when false the item has failed for good.
/// </summary>
public sealed record WorkFailed(
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
    DateTimeOffset? RetryAtUtc) : IWithJobId;

/// <summary>The item's attempt was cancelled as asked; its process/request was stopped.</summary>
public sealed record WorkCancelled(string JobId, string RunId, string ItemKey, int Attempt, string Node, DateTimeOffset CancelledUtc) : IWithJobId;
