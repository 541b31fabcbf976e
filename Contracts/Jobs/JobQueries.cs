using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Contracts.Jobs;

/// <summary>
/// A job as the scheduler knows it. A paused job with <see cref="PausedUntilUtc"/> resumes by itself then.
/// <see cref="FailureStreak"/> counts its consecutive failed runs up to its last finished one (0: the last succeeded).
/// </summary>
public sealed record JobView(JobDefinition Definition, bool Paused, string? PausedReason, DateTimeOffset CreatedUtc, DateTimeOffset UpdatedUtc,
    DateTimeOffset? NextFireUtc, DateTimeOffset? PausedUntilUtc = null, int FailureStreak = 0);

/// <summary>Reply: <see cref="GetJobResult"/>.</summary>
public sealed record GetJob(string JobId) : IWithJobId;

/// <summary>Job is null when it does not exist.</summary>
public sealed record GetJobResult(string JobId, JobView? Job) : IJobsMessage;

/// <summary>
/// Reply: <see cref="ListJobsResult"/>, ordered by id: the jobs of <paramref name="Tenant"/> (all when null), only the
/// paused (or unpaused) ones with <paramref name="Paused"/>, only those whose last finished run failed (or did not)
/// with <paramref name="Failing"/>; of those, only jobs of <paramref name="Tenants"/> (a caller limited to tenants).
/// One reply is a page: the jobs after the id <paramref name="After"/>, at most <paramref name="Limit"/> of them and as
/// many as fit one cluster message; <see cref="ListJobsResult.Next"/> says where the next page starts.
/// </summary>
public sealed record ListJobs(string? Tenant = null, bool? Paused = null, bool? Failing = null, IReadOnlyList<string>? Tenants = null,
    string? After = null, int? Limit = null) : IJobsMessage
{
    /// <summary>Most jobs one page holds.</summary>
    public const int MaxLimit = 1000;

    /// <summary>
    /// Most bytes of serialized definitions one page holds: a reply larger than the remoting frame (128,000 bytes) would
    /// be dropped on its way to another node, and a definition may be up to 64 KiB.
    /// </summary>
    public const int MaxPageBytes = 96 * 1024;
}

/// <summary>A page of jobs; <paramref name="Next"/> is the <see cref="ListJobs.After"/> of the next page, null on the last.</summary>
public sealed record ListJobsResult(IReadOnlyList<JobView> Jobs, string? Next = null) : IJobsMessage;

/// <summary>The next <paramref name="Count"/> fire times from now. Reply: <see cref="GetNextFireTimesResult"/> or <see cref="CommandRejected"/>.</summary>
public sealed record GetNextFireTimes(string JobId, int Count) : IWithJobId
{
    /// <summary>Most fire times one query returns; a larger count is clamped.</summary>
    public const int MaxCount = 1000;
}

/// <summary>Upcoming fire times, UTC, ascending; empty for <c>manual</c> and past one-shots.</summary>
public sealed record GetNextFireTimesResult(string JobId, IReadOnlyList<DateTimeOffset> Times) : IJobsMessage;

/// <summary>
/// Recent runs of a job, newest first. <paramref name="Incarnation"/> null lists the current incarnation's runs
/// (a job deleted and created again starts with an empty history); a number lists that earlier incarnation's.
/// <paramref name="JobCreatedUtc"/>, the job's <see cref="JobView.CreatedUtc"/>, names the current incarnation even
/// before its first run. Reply: <see cref="ListRunsResult"/>.
/// </summary>
public sealed record ListRuns(string JobId, int Limit = 50, RunStatus? Status = null, int? Incarnation = null, DateTimeOffset? JobCreatedUtc = null)
    : IWithJobId;

/// <summary>Runs and skipped times of a job, newest first, and the incarnation the job's runs are in now.</summary>
public sealed record ListRunsResult(string JobId, IReadOnlyList<RunView> Runs, int CurrentIncarnation = 1) : IJobsMessage;

/// <summary>
/// One run of the job with its attempts; <paramref name="JobCreatedUtc"/> (as on <see cref="ListRuns"/>) names the job's
/// current incarnation. Reply: <see cref="GetRunResult"/>.
/// </summary>
public sealed record GetRun(string JobId, string RunId, DateTimeOffset? JobCreatedUtc = null) : IWithJobId;

/// <summary>
/// The run (null when the job has no such run in its history), its attempts, oldest first, and the incarnation the job's
/// runs are in now (a run of an earlier one belongs to an earlier life of the id, possibly another tenant's).
/// </summary>
public sealed record GetRunResult(string JobId, RunView? Run, IReadOnlyList<AttemptView> Attempts, int CurrentIncarnation = 1) : IJobsMessage;
