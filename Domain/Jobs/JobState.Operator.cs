using Akka.Jobs.Contracts;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Domain.Jobs;

/// <summary>What an operator asks of one run: cancel it, or look at it with its attempts.</summary>
public sealed partial record JobState
{
    /// <summary>
    /// Cancels a queued or running run of the current incarnation: it ends <c>cancelled by &lt;who&gt;</c> (the actor
    /// then cancels its items' attempts), and a run queued behind it starts. Refused with NotFound for a run this job
    /// never had (or a caller limited to <paramref name="tenants"/> cannot see), Conflict for one that has already ended,
    /// Invalid for a <paramref name="by"/> that is not one short line.
    /// </summary>
    public (IReadOnlyList<IJobEvent> Events, RejectionKind? Refused) DecideCancelRun(string runId, string by, DateTimeOffset now,
        IReadOnlyCollection<string>? tenants = null)
    {
        if (!Access.TenantScope.Allows(tenants, Definition?.Tenant)) return ([], RejectionKind.NotFound);
        if (Scheduler.OperatorDecisions.ByError(by) is not null) return ([], RejectionKind.Invalid);
        if (!Active.TryGetValue(runId, out var run)) return ([], FindRun(runId) is null ? RejectionKind.NotFound : RejectionKind.Conflict);
        var finished = new RunFinished(JobId, runId, RunStatus.Cancelled, now, $"cancelled by {by}", null);
        return (run.Queued ? [finished] : [finished, .. StartQueued(now, runId)], null);
    }

    /// <summary>A run in flight or in the kept history (any incarnation), or null.</summary>
    public RunView? FindRun(string runId)
    {
        if (Active.TryGetValue(runId, out var run)) return run.ToView(JobId, Incarnation);
        for (var i = History.Count - 1; i >= 0; i--)
            if (History[i].RunId == runId) return History[i];
        return null;
    }

    /// <summary>
    /// A run's attempts, oldest first: the failed ones it kept, then the attempt that ended it when that is not the last
    /// failure (a success, a cancel, an attempt in progress). A skipped time has none.
    /// </summary>
    public static IReadOnlyList<AttemptView> AttemptsOf(RunView run)
    {
        IReadOnlyList<AttemptView> failed = run.FailedAttempts ?? ValueList<AttemptView>.Empty;
        if (run.Status == RunStatus.Skipped || run.Attempts == 0) return failed;
        var last = failed.Count > 0 ? failed[^1] : null;
        if (last is not null && last.Attempt >= run.Attempts && run.Status is RunStatus.Failed or RunStatus.TimedOut) return failed;
        var outcome = run.Status switch
        {
            RunStatus.Running or RunStatus.Queued => "running",
            RunStatus.Succeeded => "succeeded",
            RunStatus.TimedOut => "timed-out",
            RunStatus.Cancelled => "cancelled",
            RunStatus.Interrupted => "interrupted",
            _ => "failed",
        };
        // The ending attempt's own start is the run's start only when it was the first.
        var started = run.Attempts == 1 ? run.StartedUtc : null;
        // A single-item run's one item is the job's main item; a fan-out run's ending attempt stands for all its items.
        var item = run.Items == 1 ? failed.LastOrDefault()?.ItemKey ?? JobParameters.SingleItemKey : "*";
        return [.. failed, new AttemptView(item, run.Attempts, run.Node, started, run.FinishedUtc, outcome,
            Error: run.Status is RunStatus.Succeeded or RunStatus.Running or RunStatus.Queued ? null : run.Reason)];
    }
}
