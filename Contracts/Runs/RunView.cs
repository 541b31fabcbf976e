namespace Akka.Jobs.Contracts.Runs;

/// <summary>Where a run stands. Skipped times are runs that never started, with a reason.</summary>
public enum RunStatus
{
    /// <summary>Accepted and waiting for the current run to end (overlap <c>buffer-one</c>).</summary>
    Queued,
    /// <summary>Started and not yet ended.</summary>
    Running,
    /// <summary>Every item succeeded.</summary>
    Succeeded,
    /// <summary>An item ran out of attempts or raised a non-retryable error.</summary>
    Failed,
    /// <summary>The run exceeded the job's timeout; its work was cancelled.</summary>
    TimedOut,
    /// <summary>Cancelled by a replacing run, job removal or shutdown.</summary>
    Cancelled,
    /// <summary>Never started; the reason says why (overlap, misfire, paused).</summary>
    Skipped,
    /// <summary>Its node died while it ran and the job's policy is not to resume.</summary>
    Interrupted,
}

/// <summary>Why a run exists.</summary>
public enum TriggerKind
{
    /// <summary>Its scheduled time came.</summary>
    Scheduled,
    /// <summary>A missed time run late under the misfire policy.</summary>
    CatchUp,
    /// <summary>Somebody triggered it.</summary>
    Manual,
}

/// <summary>
/// One run (or skipped scheduled time) of a job. <c>Output</c> is the last 4 KB a handler reported for the run's last
/// finished item. <c>Incarnation</c> numbers the lives of a job id: 1 for the first, one more each time the id is
/// deleted and created again; a run belongs to exactly one. <c>Cause</c> says who or what asked for a manual run
/// (<c>triggered by ops</c>, <c>rerun of job@… by ops</c>). <c>FailedAttempts</c> lists the run's failed attempts
/// (at most the last 10, errors cut at 300 characters), null when none failed; run lists and run events leave it out (GetRun has it).
/// </summary>
public sealed record RunView(
    string RunId,
    string JobId,
    DateTimeOffset ScheduledUtc,
    DateTimeOffset? StartedUtc,
    DateTimeOffset? FinishedUtc,
    RunStatus Status,
    TriggerKind Trigger,
    int Attempts,
    string? Reason,
    string? Error,
    string? Node,
    int Items = 1,
    int SkippedTimes = 1,
    string? Output = null,
    int Incarnation = 1,
    string? Cause = null,
    ValueList<AttemptView>? FailedAttempts = null);

/// <summary>
/// One attempt of one item: where and when it ran and how it ended (<c>succeeded</c>, <c>failed</c>, <c>timed-out</c>,
/// <c>cancelled</c>, <c>lost</c>), with the error kind and message of a failure.
/// </summary>
public sealed record AttemptView(
    string ItemKey,
    int Attempt,
    string? Node,
    DateTimeOffset? StartedUtc,
    DateTimeOffset? FinishedUtc,
    string Outcome,
    string? ErrorKind = null,
    string? Error = null);

/// <summary>
/// Published on the DistributedPubSub topics <see cref="RunTopics.Runs"/> and <see cref="RunTopics.ForJob"/> at every
/// step of a run's life: <paramref name="Event"/> is one of <see cref="RunEvents"/> (null only in payloads written by
/// versions that published status changes alone). <paramref name="Attempt"/> and <paramref name="Error"/> describe the
/// failed attempt of an <see cref="RunEvents.AttemptFailed"/> event, which does not change the run's status.
/// </summary>
public sealed record RunStatusChanged(RunView Run, string? Event = null, int? Attempt = null, string? Error = null) : Akka.Jobs.Contracts.IWithJobId
{
    /// <inheritdoc />
    public string JobId => Run.JobId;

    /// <summary>True for the events after which the run changes no more.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFinal => Run.Status is not (RunStatus.Queued or RunStatus.Running) && Event != RunEvents.AttemptFailed;
}

/// <summary>The names a <see cref="RunStatusChanged.Event"/> takes.</summary>
public static class RunEvents
{
    /// <summary>Accepted, waiting for the current run to end.</summary>
    public const string Queued = "queued";
    /// <summary>Started (or resumed after its node died).</summary>
    public const string Started = "started";
    /// <summary>An attempt of an item failed; the run goes on (a retry) or ends with its next event.</summary>
    public const string AttemptFailed = "attempt-failed";
    /// <summary>Ended: every item succeeded.</summary>
    public const string Succeeded = "succeeded";
    /// <summary>Ended: an item ran out of attempts or failed without retry.</summary>
    public const string Failed = "failed";
    /// <summary>Ended: the run's timeout passed.</summary>
    public const string TimedOut = "timed-out";
    /// <summary>Ended: cancelled.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>A scheduled time that never ran.</summary>
    public const string Skipped = "skipped";
    /// <summary>Ended: its node died and the job does not resume interrupted runs.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The event that ends (or starts) a run in <paramref name="status"/>; shared strings, no allocation.</summary>
    public static string For(RunStatus status) => status switch
    {
        RunStatus.Queued => Queued,
        RunStatus.Running => Started,
        RunStatus.Succeeded => Succeeded,
        RunStatus.Failed => Failed,
        RunStatus.TimedOut => TimedOut,
        RunStatus.Cancelled => Cancelled,
        RunStatus.Skipped => Skipped,
        _ => Interrupted,
    };
}

/// <summary>Topic names.</summary>
public static class RunTopics
{
    /// <summary>DistributedPubSub topic carrying every job's <see cref="RunStatusChanged"/>.</summary>
    public const string Runs = "akka-jobs.runs";

    /// <summary>Prefix of the per-job topics.</summary>
    public const string JobPrefix = "akka-jobs.runs.";

    /// <summary>DistributedPubSub topic carrying the <see cref="RunStatusChanged"/> of one job: <c>akka-jobs.runs.&lt;jobId&gt;</c>.</summary>
    public static string ForJob(string jobId) => JobPrefix + jobId;
}

/// <summary>
/// Run id format shared by every node: <c>{jobId}@{scheduledUtc:yyyyMMddTHHmmss.fffZ}</c> in a job's first
/// incarnation, <c>{jobId}~{incarnation}@…</c> after the id was deleted and created again. <c>~</c> cannot occur
/// in a job id, so ids of different incarnations never collide, and first-incarnation ids are those of older versions.
/// </summary>
public static class RunIds
{
    /// <summary>The job id a run id belongs to (the part before <c>~</c> or <c>@</c>), or null when it is not a run id.</summary>
    public static string? JobIdOf(string? runId)
    {
        if (string.IsNullOrEmpty(runId)) return null;
        var end = runId.IndexOfAny(['~', '@']);
        return end <= 0 || runId.IndexOf('@') < end ? null : runId[..end];
    }

    /// <summary>The deterministic id of the run of <paramref name="jobId"/> at <paramref name="scheduledUtc"/>.</summary>
    public static string For(string jobId, DateTimeOffset scheduledUtc, int incarnation = 1) =>
        incarnation <= 1
            ? $"{jobId}@{scheduledUtc.UtcDateTime:yyyyMMdd'T'HHmmss.fff'Z'}"
            : $"{jobId}~{incarnation}@{scheduledUtc.UtcDateTime:yyyyMMdd'T'HHmmss.fff'Z'}";
}
