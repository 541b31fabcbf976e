namespace Akka.Jobs.Contracts.Jobs;

/// <summary>Create the job, or replace its definition when it exists. Reply: <see cref="CommandAck"/> or <see cref="CommandRejected"/>.</summary>
/// <remarks>
/// <paramref name="Tenants"/> limits the caller (null: any). Set, the definition must name one of them, and an existing job of
/// another tenant is not replaced (Conflict: the id is taken). Whoever calls, a job's tenant never changes while it exists.
/// </remarks>
public sealed record RegisterJob(JobDefinition Definition, IReadOnlyList<string>? Tenants = null) : IWithJobId
{
    /// <inheritdoc />
    public string JobId => Definition.Id;
}

/// <summary>Remove the job; runs in flight are cancelled. Reply: <see cref="CommandAck"/> or <see cref="CommandRejected"/>.</summary>
/// <remarks><paramref name="Tenants"/>: as on <see cref="TriggerJob"/>.</remarks>
public sealed record RemoveJob(string JobId, IReadOnlyList<string>? Tenants = null) : IWithJobId;

/// <summary>
/// Stop creating runs; scheduled times while paused are recorded as skipped (<c>paused: &lt;note&gt;</c>).
/// <paramref name="Reason"/> is the note shown on the job and in its history; with <paramref name="UntilUtc"/> the job
/// resumes by itself at that instant. <paramref name="By"/> names who paused it (a token's name or an actor path).
/// </summary>
/// <remarks><paramref name="Tenants"/>: as on <see cref="TriggerJob"/>.</remarks>
public sealed record PauseJob(string JobId, string? Reason = null, DateTimeOffset? UntilUtc = null, string? By = null, IReadOnlyList<string>? Tenants = null) : IWithJobId;

/// <summary>Resume a paused job from the next scheduled time on.</summary>
/// <remarks><paramref name="Tenants"/>: as on <see cref="TriggerJob"/>.</remarks>
public sealed record ResumeJob(string JobId, string? By = null, IReadOnlyList<string>? Tenants = null) : IWithJobId;

/// <summary>
/// Start a run now. Reply: <see cref="CommandAck"/> with the run id once the run (or its recorded skip, e.g. for
/// overlap) is durably stored; <see cref="CommandRejected"/> NotFound for an unknown job, Conflict when the job
/// was removed before its job actor decided the trigger.
/// </summary>
/// <remarks>
/// <paramref name="RerunOf"/> names the run this one repeats (see <see cref="RerunRun"/>); <paramref name="By"/> who asked.
/// <paramref name="Tenants"/> limits the caller (null: any): a job of another tenant, or of none, answers NotFound, as if it
/// did not exist. The job's stored tenant is checked where the command is decided, so no change in between can slip past.
/// </remarks>
public sealed record TriggerJob(string JobId, string? RerunOf = null, string? By = null, IReadOnlyList<string>? Tenants = null) : IWithJobId;

/// <summary>
/// Start a new manual run of the job that ran <paramref name="RunId"/>; its cause names the original. Reply: as for
/// <see cref="TriggerJob"/>; <see cref="CommandRejected"/> NotFound when the job is gone.
/// </summary>
/// <remarks><paramref name="Tenants"/>: as on <see cref="TriggerJob"/>.</remarks>
public sealed record RerunRun(string JobId, string RunId, string? By = null, IReadOnlyList<string>? Tenants = null) : IWithJobId;

/// <summary>
/// Cancel a queued or running run: its handlers' tokens are cancelled (a shell job's process tree is killed) and the run
/// is recorded <c>cancelled</c> with <paramref name="By"/>. Reply: <see cref="CommandAck"/> with the run id;
/// <see cref="CommandRejected"/> NotFound for an unknown run, Conflict for a run that has already ended.
/// </summary>
/// <remarks><paramref name="Tenants"/>: as on <see cref="TriggerJob"/> (a run of a job the caller cannot see answers NotFound).</remarks>
public sealed record CancelRun(string JobId, string RunId, string? By = null, IReadOnlyList<string>? Tenants = null) : IWithJobId;

/// <summary>The command took effect.</summary>
public sealed record CommandAck(string JobId, bool Created = false, string? RunId = null) : IJobsMessage;

/// <summary>Why a command was refused.</summary>
public enum RejectionKind
{
    /// <summary>The input has problems, listed in the errors.</summary>
    Invalid,
    /// <summary>No job with that id.</summary>
    NotFound,
    /// <summary>The job is in a state that does not allow it, e.g. it was removed while the command was in flight.</summary>
    Conflict,
    /// <summary>The cluster did not answer in time; nothing is known to have changed, and the command may be sent again.</summary>
    Unavailable,
}

/// <summary>The command changed nothing; <see cref="Errors"/> names the fields at fault.</summary>
public sealed record CommandRejected(string JobId, RejectionKind Kind, IReadOnlyList<ValidationError> Errors) : IJobsMessage
{
    /// <summary>A rejection for an unknown job.</summary>
    public static CommandRejected NotFound(string jobId) =>
        new(jobId, RejectionKind.NotFound, [new ValidationError("id", $"job '{jobId}' does not exist")]);
}
