namespace Akka.Jobs.Contracts.Audit;

/// <summary>
/// One mutating call, as the audit log keeps it: when, who (a token's name, <c>anonymous</c>, or the sending actor's
/// path), what (<c>jobs.trigger</c>, <c>runs.cancel</c>, <c>cluster.down</c>…), on what (a job id, run id or address),
/// and how it ended (<c>ok</c>, <c>denied: …</c>, <c>rejected: …</c>). <see cref="Via"/> is <c>api</c>, <c>cli</c> or <c>actor</c>.
/// </summary>
public sealed record AuditEntry(long Id, DateTimeOffset AtUtc, string Caller, string Action, string Target, string Outcome, string Via);

/// <summary>Audit entries at or after <see cref="SinceUtc"/>, newest first, at most <see cref="Limit"/>. Reply: <see cref="ListAuditResult"/>.</summary>
public sealed record ListAudit(DateTimeOffset? SinceUtc = null, int Limit = 100) : IJobsMessage;

/// <summary>The entries asked for, newest first.</summary>
public sealed record ListAuditResult(IReadOnlyList<AuditEntry> Entries) : IJobsMessage;
