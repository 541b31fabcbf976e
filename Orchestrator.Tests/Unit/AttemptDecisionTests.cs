using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Domain.Protocol;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

/// <summary>
/// Every decision about attempts is the job state's: retry or not, the next number and its not-before instant, lost
/// work, interrupted attempts and what a run of failures escalates to.
/// </summary>
public sealed class AttemptDecisionTests
{
    private static readonly string Item = JobParameters.SingleItemKey;

    /// <summary>Retry policy of <see cref="Samples.Definition"/>: 5 attempts, 2 s initial backoff, ×3, 10 % jitter.</summary>
    private static (JobState State, string RunId) Running(JobDefinition? d = null)
    {
        d ??= Definition("single");
        var s = JobState.Empty(d.Id);
        s = s.DecideTick(Tick(d, T0), T0).Aggregate(s, (acc, e) => acc.Apply(e));
        return (s, RunIds.For(d.Id, T0));
    }

    private static WorkFailed Failed(string runId, int attempt, string kind = "http-5xx", bool retryable = true) =>
        new("single", runId, Item, attempt, "node-1", T0, T0.AddSeconds(1), kind, "boom", retryable);

    private static JobState Apply(JobState s, IEnumerable<IJobEvent> events) => events.Aggregate(s, (acc, e) => acc.Apply(e));

    [Theory]
    [InlineData(1, 2, 2_000)]   // before attempt 2: the initial backoff
    [InlineData(2, 3, 6_000)]   // × multiplier 3
    [InlineData(3, 4, 18_000)]
    public void A_retryable_failure_decides_the_next_attempt_and_its_backoff_with_jitter_from_the_random_source(int failed, int next, int backoffMs)
    {
        var (s, runId) = Running();
        var now = T0.AddSeconds(30);
        var jitter = new Random(42).NextDouble(); // the same draw the decision makes from a source seeded alike

        var decision = Assert.IsType<AttemptFailed>(Assert.Single(s.DecideFailed(Failed(runId, failed), failed, now, new Random(42))));

        Assert.True(decision.WillRetry);
        Assert.Equal(next, decision.NextAttempt);
        Assert.Equal(now + TimeSpan.FromMilliseconds(backoffMs * (1 + 0.1 * jitter)), decision.RetryNotBeforeUtc);
    }

    [Fact]
    public void A_decided_retry_keeps_its_not_before_time_in_the_item_across_a_recovery()
    {
        var (s, runId) = Running();
        var decision = Assert.IsType<AttemptFailed>(Assert.Single(s.DecideFailed(Failed(runId, 1), 1, T0, new Random(3))));
        s = Apply(s, [decision]);

        Assert.Equal(decision.RetryNotBeforeUtc, s.Active[runId].Items[Item].RetryNotBeforeUtc);
        var recovered = Apply(s, s.DecideRecovery(T0.AddSeconds(1)));
        Assert.Equal(decision.RetryNotBeforeUtc, recovered.Active[runId].Items[Item].RetryNotBeforeUtc);
        Assert.Equal(2, recovered.Active[runId].Items[Item].Attempt); // the retry in flight counts as used
    }

    [Fact]
    public void The_next_attempt_is_above_every_number_handed_out_and_none_follows_past_max_attempts()
    {
        var (s, runId) = Running();

        // Attempt 3 was handed out (a re-dispatch) while the worker still ran 2: the next is 4, not 3 again.
        var decision = Assert.IsType<AttemptFailed>(Assert.Single(s.DecideFailed(Failed(runId, 2), handedOut: 3, T0, new Random(1))));
        Assert.Equal(4, decision.NextAttempt);
        // And 4 counts as used from the decision on: a job actor recovered before it ran does not hand it out again.
        Assert.Equal(3, Apply(s, [decision]).Active[runId].Items[Item].Attempt);

        var last = s.DecideFailed(Failed(runId, 4), handedOut: 5, T0, new Random(1));
        Assert.False(Assert.IsType<AttemptFailed>(last[0]).WillRetry);
        Assert.Equal(RunStatus.Failed, Assert.IsType<RunFinished>(last[^1]).Status);
    }

    [Theory]
    [InlineData("http-4xx", true)]  // listed as non-retryable by the job
    [InlineData("flaky", false)]    // the handler says retrying cannot help
    public void A_failure_the_job_or_the_handler_calls_non_retryable_ends_the_item_at_once(string kind, bool retryable)
    {
        var (s, runId) = Running();

        var events = s.DecideFailed(Failed(runId, 1, kind, retryable), 1, T0, new Random(1));

        var failed = Assert.IsType<AttemptFailed>(events[0]);
        Assert.False(failed.WillRetry);
        Assert.Null(failed.NextAttempt);
        Assert.Equal(RunStatus.Failed, Assert.IsType<RunFinished>(events[^1]).Status);
    }

    [Fact]
    public void Lost_work_is_tried_again_at_once_while_attempts_are_left()
    {
        var (s, runId) = Running();
        var now = T0.AddMinutes(1);

        var lost = Assert.IsType<AttemptFailed>(Assert.Single(s.DecideLost(runId, Item, 2, "node-9", T0, now, "its node node-9 left the cluster")));

        Assert.Equal((JobState.LostKind, true, 3, now), (lost.ErrorKind, lost.WillRetry, lost.NextAttempt, lost.RetryNotBeforeUtc!.Value));
        Assert.Equal("node-9", lost.Node);
    }

    [Fact]
    public void Recovery_fails_an_item_whose_interrupted_attempt_was_its_last_instead_of_resuming_it()
    {
        var d = FanOut() with { Retry = Definition().Retry with { MaxAttempts = 2 } };
        var (s, runId) = Running(d);
        s = Apply(s, s.DecideFailed(new WorkFailed(d.Id, runId, "b", 1, "n", T0, T0, "flaky", "x"), 1, T0, new Random(1)));
        s = Apply(s, s.DecideSucceeded(new WorkSucceeded(d.Id, runId, "c", 1, "n", T0, T0, null)));

        var events = s.DecideRecovery(T0.AddMinutes(5));

        // b used attempt 1 and its retry (2) was in flight: nothing is left. a keeps its 2nd attempt.
        var exhausted = Assert.IsType<AttemptFailed>(events[0]);
        Assert.Equal(("b", 2, "interrupted", false), (exhausted.ItemKey, exhausted.Attempt, exhausted.ErrorKind, exhausted.WillRetry));
        Assert.IsType<RunResumed>(events[1]);
        Assert.Equal(2, events.Count);
        var items = Apply(s, events).Active[runId].Items;
        Assert.True(items["b"].Failed);
        Assert.Equal(1, items["a"].Attempt);
    }

    [Fact]
    public void Recovery_ends_a_run_whose_every_open_item_is_out_of_attempts_without_resuming_it()
    {
        var d = Definition("single") with { Retry = Definition().Retry with { MaxAttempts = 1 } };
        var (s, runId) = Running(d);

        var events = s.DecideRecovery(T0.AddMinutes(5));

        Assert.IsType<AttemptFailed>(events[0]);
        Assert.Equal(RunStatus.Failed, Assert.IsType<RunFinished>(events[1]).Status);
        Assert.DoesNotContain(events, e => e is RunResumed);
        Assert.Empty(Apply(s, events).Active);
    }

    [Fact]
    public void Consecutive_failed_runs_escalate_to_an_alert_then_a_pause_once_each()
    {
        var d = Definition("single") with { Retry = Definition().Retry with { MaxAttempts = 1 }, AlertAfter = 2, PauseAfter = 3 };
        var s = JobState.Empty(d.Id);
        var seen = new List<(bool, bool)>();
        for (var i = 0; i < 4; i++)
        {
            var at = T0.AddMinutes(i);
            s = Apply(s, s.DecideTick(Tick(d, at), at));
            s = Apply(s, s.DecideFailed(new WorkFailed(d.Id, RunIds.For(d.Id, at), Item, 1, "n", at, at, "flaky", "x"), 1, at, new Random(1)));
            seen.Add(s.Escalation);
        }

        Assert.Equal([(false, false), (true, false), (false, true), (false, false)], seen);
    }
}
