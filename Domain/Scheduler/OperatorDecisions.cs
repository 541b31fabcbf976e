using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Domain.Scheduler;

/// <summary>
/// The outcome of an operator's pause: the event to store, or the refusal to answer, or neither (the job is already
/// paused like that: acknowledge, store nothing).
/// </summary>
public sealed record PauseDecision(JobPaused? Paused, CommandRejected? Refused);

/// <summary>What operators ask of the scheduler, decided once for every edge (HTTP API, CLI, actor API).</summary>
public static class OperatorDecisions
{
    /// <summary>Longest pause note: it is shown on the job and on every time skipped during the pause.</summary>
    public const int MaxNote = 500;

    /// <summary>Longest "who" a command may name (a token's name or an actor path).</summary>
    public const int MaxBy = 300;

    /// <summary>
    /// Decides a pause by <see cref="PauseJob.By"/> (default <c>operator</c>) with an optional note and end. The job shows
    /// <c>&lt;note&gt; (paused by &lt;who&gt;)</c>; pausing a paused job again changes its note and end; an end must be in the
    /// future; a note is one line of at most <see cref="MaxNote"/> characters.
    /// </summary>
    public static PauseDecision DecidePause(this SchedulerState state, PauseJob p, DateTimeOffset now)
    {
        // A job of a tenant the caller cannot reach answers like a missing one.
        if (!state.Jobs.TryGetValue(p.JobId, out var job) || !Access.TenantScope.Allows(p.Tenants, job.Definition.Tenant))
            return new(null, CommandRejected.NotFound(p.JobId));
        var note = string.IsNullOrWhiteSpace(p.Reason) ? null : p.Reason.Trim();
        var errors = new List<ValidationError>();
        if (note is { Length: > MaxNote }) errors.Add(new("note", $"must be at most {MaxNote} characters"));
        if (note is not null && note.Any(char.IsControl)) errors.Add(new("note", "must be one line of text"));
        if (ByError(p.By) is { } byError) errors.Add(byError);
        if (p.UntilUtc is { } until && until <= now) errors.Add(new("until", $"{until:O} is not in the future"));
        if (errors.Count > 0) return new(null, new CommandRejected(p.JobId, RejectionKind.Invalid, errors));
        if (job.Paused && job.PausedUntilUtc == p.UntilUtc && job.PauseNote == note) return new(null, null);
        var by = p.By ?? "operator";
        var reason = note is null ? $"paused by {by}" : $"{note} (paused by {by})";
        return new(new JobPaused(p.JobId, reason, now, p.UntilUtc, note, by), null);
    }

    /// <summary>Why a manual run exists: <c>rerun of &lt;run&gt; by &lt;who&gt;</c>, <c>triggered by &lt;who&gt;</c>, or null when nobody is named.</summary>
    public static string? ManualCause(string? by, string? rerunOf) =>
        rerunOf is not null ? $"rerun of {rerunOf}{(by is null ? "" : $" by {by}")}" : by is null ? null : $"triggered by {by}";

    /// <summary>A "who" that would garble what the job and its runs show, or null when it is fine.</summary>
    public static ValidationError? ByError(string? by) =>
        by is not null && (by.Length > MaxBy || by.Any(char.IsControl)) ? new ValidationError("by", $"must be one line of at most {MaxBy} characters") : null;
}
