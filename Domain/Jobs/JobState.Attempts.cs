using System.Text.Json.Serialization;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Protocol;

namespace Akka.Jobs.Domain.Jobs;

/// <summary>
/// What an attempt's outcome leads to. Workers report raw outcomes (succeeded, failed with a kind and whether the
/// handler thinks a retry can help, timed out, cancelled, or nothing heard: lost); every decision about attempts is
/// made here, once: whether another attempt follows, its number and not-before instant, when an item and its run end,
/// and what a run of failures escalates to.
/// </summary>
public sealed partial record JobState
{
    /// <summary>Error kind recorded when the run's deadline stopped an attempt.</summary>
    public const string RunDeadlineKind = "run-deadline";

    /// <summary>Error kind recorded for an attempt whose worker went silent or whose node left.</summary>
    public const string LostKind = "lost";

    /// <summary>Records a succeeded item; finishes the run when it was the last open item.</summary>
    public IReadOnlyList<IJobEvent> DecideSucceeded(WorkSucceeded w)
    {
        if (!Active.TryGetValue(w.RunId, out var run) || !run.Items.TryGetValue(w.ItemKey, out var item) || item.Done) return [];
        var events = new List<IJobEvent> { new ItemSucceeded(JobId, w.RunId, w.ItemKey, w.Attempt, w.Node, w.StartedUtc, w.FinishedUtc, Trim(w.Output)) };
        if (run.OpenCount == 1) events.AddRange(Finish(run.WithItem(item with { Done = true }), w.FinishedUtc));
        return events;
    }

    /// <summary>
    /// Decides a failed attempt: another attempt when the failure is retryable, its kind is not listed as
    /// non-retryable and the job's attempts are not used up; it runs after the backoff (exponential, plus up to
    /// <c>jitter</c> of it at random from <paramref name="random"/>). Otherwise the item fails for good, and the run
    /// ends when it was its last open item. <paramref name="handedOut"/> is the highest attempt number the job actor
    /// gave the item (it may be above the failed one after a re-dispatch): the next is above both.
    /// </summary>
    public IReadOnlyList<IJobEvent> DecideFailed(WorkFailed w, int handedOut, DateTimeOffset now, Random random) =>
        DecideAttemptFailed(w, handedOut, now, retryAt: def =>
        {
            var backoff = def.Retry.BackoffBefore(Math.Max(handedOut, w.Attempt) + 1);
            return now + backoff + TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * def.Retry.Jitter * random.NextDouble());
        });

    /// <summary>
    /// Nothing was heard of the attempt for a whole work lease, or its node left: it counts as a failed attempt (kind
    /// <see cref="LostKind"/>), and the item runs again at once if attempts are left: the attempt did not fail on its own.
    /// </summary>
    public IReadOnlyList<IJobEvent> DecideLost(string runId, string itemKey, int attempt, string? node, DateTimeOffset lastHeardUtc, DateTimeOffset now, string why) =>
        DecideAttemptFailed(new WorkFailed(JobId, runId, itemKey, attempt, node ?? "?", lastHeardUtc, now, LostKind, why), attempt, now, retryAt: _ => now);

    private IReadOnlyList<IJobEvent> DecideAttemptFailed(WorkFailed w, int handedOut, DateTimeOffset now, Func<JobDefinition, DateTimeOffset> retryAt)
    {
        if (!Active.TryGetValue(w.RunId, out var run) || !run.Items.TryGetValue(w.ItemKey, out var item) || item.Done || Definition is not { } def) return [];
        // A worker repeats an outcome when the same attempt is dispatched again (its start was not heard): decided already.
        if (w.Attempt <= item.FailedAttempt) return [];
        var next = Math.Max(Math.Max(handedOut, w.Attempt), item.Attempt) + 1;
        var retry = w.Retryable && !def.Retry.NonRetryable.Contains(w.ErrorKind) && next <= def.Retry.MaxAttempts;
        var failed = new AttemptFailed(JobId, w.RunId, w.ItemKey, w.Attempt, w.Node, w.StartedUtc, w.FailedUtc, w.ErrorKind, Trim(w.Error) ?? "", retry,
            retry ? next : null, retry ? retryAt(def) : null);
        if (retry || run.OpenCount > 1) return [failed];
        return [failed, .. Finish(run.WithItem(item with { Done = true, Failed = true, Error = $"{w.ErrorKind}: {w.Error}" }), w.FailedUtc)];
    }

    /// <summary>The worker noticed the run's deadline before this actor's timer did: the run ends timed out, as by <see cref="DecideTimeout"/>.</summary>
    public IReadOnlyList<IJobEvent> DecideTimedOut(WorkTimedOut w)
    {
        if (!Active.TryGetValue(w.RunId, out var run) || !run.Items.TryGetValue(w.ItemKey, out var item) || item.Done) return [];
        // No error of its own on the finish: the run's last error is then this attempt's.
        return
        [
            new AttemptFailed(JobId, w.RunId, w.ItemKey, w.Attempt, w.Node, w.StartedUtc, w.AtUtc, RunDeadlineKind, "the run's deadline passed during this attempt", false),
            .. TimedOut(run.RunId, w.AtUtc, error: null),
        ];
    }

    /// <summary>An item's attempt was cancelled (shutdown, cancel): the run ends cancelled.</summary>
    public IReadOnlyList<IJobEvent> DecideCancelled(WorkCancelled w, string reason)
    {
        if (!Active.TryGetValue(w.RunId, out var run) || run.Queued) return [];
        return [new RunFinished(JobId, run.RunId, RunStatus.Cancelled, w.CancelledUtc, reason, null), .. StartQueued(w.CancelledUtc, run.RunId)];
    }

    /// <summary>The run's timeout lapsed.</summary>
    public IReadOnlyList<IJobEvent> DecideTimeout(string runId, DateTimeOffset now)
    {
        if (!Active.TryGetValue(runId, out var run) || run.Queued) return [];
        return TimedOut(runId, now, run.LastError);
    }

    /// <summary>The run ends timed out, and a run queued behind it starts.</summary>
    private IReadOnlyList<IJobEvent> TimedOut(string runId, DateTimeOffset at, string? error) =>
        [new RunFinished(JobId, runId, RunStatus.TimedOut, at, $"exceeded timeout {Definition?.Timeout ?? TimeSpan.Zero}", error), .. StartQueued(at, runId)];

    /// <summary>
    /// After recovery: resume or interrupt runs that were in flight, start a lone queued run. A resumed run's
    /// interrupted attempts count as used; an item with none left fails (kind <c>interrupted</c>) instead of running
    /// past its budget, and a run with no item left to run is not resumed.
    /// </summary>
    public IReadOnlyList<IJobEvent> DecideRecovery(DateTimeOffset now)
    {
        var events = new List<IJobEvent>();
        var policy = Definition?.OnInterrupt ?? InterruptPolicy.Resume;
        var running = Running.ToList();
        var state = this;
        foreach (var run in running)
        {
            if (policy == InterruptPolicy.Fail)
            {
                events.Add(new RunFinished(JobId, run.RunId, RunStatus.Interrupted, now, "interrupted: its node stopped while it ran", run.LastError));
                continue;
            }
            foreach (var item in run.OpenItems.Where(i => i.Attempt + 1 >= (Definition?.Retry.MaxAttempts ?? 1)).ToList())
            {
                var interrupted = item.Attempt + 1;
                var exhausted = state.DecideAttemptFailed(new WorkFailed(JobId, run.RunId, item.Key, interrupted, "-", now, now, "interrupted",
                    "interrupted: no attempts left after its node stopped", Retryable: false), interrupted, now, retryAt: _ => now);
                events.AddRange(exhausted);
                state = exhausted.Aggregate(state, (s, e) => s.Apply(e));
            }
            if (state.Active.ContainsKey(run.RunId)) events.Add(new RunResumed(JobId, run.RunId, now));
        }
        // A run queued under buffer-one starts when nothing runs, or at once when the job now allows overlapping runs.
        if (policy == InterruptPolicy.Fail || running.Count == 0 || Definition?.Overlap == OverlapPolicy.Allow)
        {
            // Read after the exhausted items' events: a run they finished may have started the queued one already.
            var queued = state.Active.Values.FirstOrDefault(r => r.Queued);
            if (queued is not null) events.Add(new RunStarted(JobId, queued.RunId, now));
        }
        return events;
    }

    /// <summary>What the job's consecutive failures call for now that a run finished: an alert, an automatic pause, both or nothing.</summary>
    [JsonIgnore]
    public (bool Alert, bool Pause) Escalation =>
        Definition is not { } def || ConsecutiveFailures == 0
            ? (false, false)
            : (def.AlertAfter > 0 && ConsecutiveFailures == def.AlertAfter, def.PauseAfter > 0 && ConsecutiveFailures == def.PauseAfter);

    /// <summary>The run's last item closed: one scan of its items, once per run, names the failures.</summary>
    private IEnumerable<IJobEvent> Finish(RunState run, DateTimeOffset at)
    {
        var failed = run.Items.Values.Where(i => i.Failed).ToList();
        yield return failed.Count == 0
            ? new RunFinished(JobId, run.RunId, RunStatus.Succeeded, at, null, null)
            : new RunFinished(JobId, run.RunId, RunStatus.Failed, at,
                failed.Count == 1 ? $"item '{failed[0].Key}' failed" : $"{failed.Count} of {run.Items.Count} items failed", failed[0].Error);
        foreach (var e in StartQueued(at, run.RunId)) yield return e;
    }

    private IEnumerable<IJobEvent> StartQueued(DateTimeOffset at, string finishingRunId)
    {
        if (Active.Count <= 1) yield break; // only the finishing run: nothing queued behind it
        var othersRunning = Running.Any(r => r.RunId != finishingRunId);
        var queued = Active.Values.FirstOrDefault(r => r.Queued);
        if (!othersRunning && queued is not null) yield return new RunStarted(JobId, queued.RunId, at);
    }
}
