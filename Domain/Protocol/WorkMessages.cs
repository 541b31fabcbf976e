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

/// <summary>
/// Run attempt <see cref="Attempt"/> of one item of one run, not before <see cref="NotBeforeUtc"/> (a run prepared
/// ahead of its time, or a retry after its backoff). Only the job actor hands out attempt numbers.
/// </summary>
public sealed record ExecuteWork(
    string JobId,
    string RunId,
    string ItemKey,
    int Attempt,
    DateTimeOffset ScheduledUtc,
    DateTimeOffset DeadlineUtc,
    JobDefinition Definition,
    DateTimeOffset? NotBeforeUtc = null) : IWithWorkItem;

/// <summary>
/// The job actor has persisted the item's final outcome for the run: the worker need not remember it to
/// answer a re-dispatch, and may leave memory.
/// </summary>
public sealed record WorkRecorded(string JobId, string RunId, string ItemKey) : IWithWorkItem;

/// <summary>Stop the item's attempt (run timed out, cancelled or replaced).</summary>
public sealed record CancelWork(string JobId, string RunId, string ItemKey, string Reason) : IWithWorkItem;

/// <summary>An attempt started on <see cref="Node"/> (it may still wait for its not-before time).</summary>
public sealed record WorkStarted(string JobId, string RunId, string ItemKey, int Attempt, string Node, DateTimeOffset StartedUtc) : IWithJobId;

/// <summary>The worker still works on the item's attempt.</summary>
public sealed record WorkHeartbeat(string JobId, string RunId, string ItemKey, int Attempt, string Node) : IWithJobId;

/// <summary>The item succeeded at <see cref="Attempt"/>.</summary>
public sealed record WorkSucceeded(string JobId, string RunId, string ItemKey, int Attempt, string Node, DateTimeOffset StartedUtc, DateTimeOffset FinishedUtc, string? Output) : IWithJobId;

/// <summary>
/// An attempt failed, as its handler reported it: <see cref="ErrorKind"/> and <see cref="Error"/>, and whether the
/// handler thinks trying again can help (<see cref="Retryable"/>). Whether another attempt follows, and when, is the
/// job actor's decision.
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
    bool Retryable = true) : IWithJobId;

/// <summary>The run's deadline stopped the attempt (the worker enforces it too, in case a cancel is lost).</summary>
public sealed record WorkTimedOut(string JobId, string RunId, string ItemKey, int Attempt, string Node, DateTimeOffset StartedUtc, DateTimeOffset AtUtc) : IWithJobId;

/// <summary>The item's attempt was cancelled as asked; its process/request was stopped.</summary>
public sealed record WorkCancelled(string JobId, string RunId, string ItemKey, int Attempt, string Node, DateTimeOffset CancelledUtc) : IWithJobId;
