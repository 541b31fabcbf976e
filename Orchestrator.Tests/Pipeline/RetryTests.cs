using Akka.Jobs.Contracts.Runs;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

public sealed class RetryTests(ITestOutputHelper output) : PipelineSpec(output)
{
    [Fact]
    public async Task Handler_failing_twice_then_succeeding_takes_three_attempts_spaced_by_the_backoff()
    {
        await RegisterAsync(Job("flaky", "manual", new { failUntil = "3" }));
        var runId = await TriggerAsync("flaky");

        await AwaitFailedAttemptAsync("flaky", runId, 1);
        Advance(TimeSpan.FromSeconds(5)); // backoff before attempt 2: initial 5 s
        await AwaitFailedAttemptAsync("flaky", runId, 2);
        Advance(TimeSpan.FromSeconds(10)); // before attempt 3: 5 s × multiplier 2
        await AwaitCallsAsync("flaky", 3);

        var run = await AwaitRunAsync("flaky", runId, r => r.Status == RunStatus.Succeeded);
        Assert.Equal(3, run.Attempts);
        var calls = Handled.For("flaky");
        Assert.Equal([1, 2, 3], calls.Select(c => c.Context.Attempt));
        Assert.Equal(TimeSpan.FromSeconds(5), calls[1].StartedUtc - calls[0].StartedUtc);
        Assert.Equal(TimeSpan.FromSeconds(10), calls[2].StartedUtc - calls[1].StartedUtc);
        Assert.All(calls, c => Assert.Equal(runId, c.Context.RunId));
    }

    [Fact]
    public async Task Non_retryable_failure_ends_the_run_after_one_attempt()
    {
        await RegisterAsync(Job("strict", "manual", new { nonRetryable = "true" }));
        var runId = await TriggerAsync("strict");

        var run = await AwaitRunAsync("strict", runId, r => r.Status == RunStatus.Failed);
        Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, run.Attempts);
        Assert.Contains("bad-input", run.Error);
        Assert.Single(Handled.For("strict"));
    }

    [Fact]
    public async Task Error_kind_listed_as_non_retryable_stops_at_the_first_attempt()
    {
        var job = Job("listed", "manual", new { failUntil = "3" });
        job = job with { Retry = job.Retry with { NonRetryable = ["flaky"] } };
        await RegisterAsync(job);
        var runId = await TriggerAsync("listed");

        var run = await AwaitRunAsync("listed", runId, r => r.Status == RunStatus.Failed);
        Assert.Equal(1, run.Attempts);
    }

    [Fact]
    public async Task Run_that_uses_up_its_attempts_fails_with_the_last_error()
    {
        await RegisterAsync(Job("hopeless", "manual", new { failUntil = "99" }));
        var runId = await TriggerAsync("hopeless");
        await AwaitFailedAttemptAsync("hopeless", runId, 1);
        Advance(TimeSpan.FromSeconds(5));
        await AwaitFailedAttemptAsync("hopeless", runId, 2);
        Advance(TimeSpan.FromSeconds(10));

        var run = await AwaitRunAsync("hopeless", runId, r => r.Status == RunStatus.Failed);
        Assert.Equal(3, run.Attempts);
        Assert.Contains("attempt 3 failed", run.Error);
    }

    [Fact]
    public async Task Run_past_its_timeout_is_cancelled_and_recorded_timed_out()
    {
        var job = Job("stuck", "manual", new { hang = "true" }) with { Timeout = TimeSpan.FromSeconds(30) };
        await RegisterAsync(job);
        var runId = await TriggerAsync("stuck");
        await AwaitCallsAsync("stuck", 1);

        Advance(TimeSpan.FromSeconds(31));

        var run = await AwaitRunAsync("stuck", runId, r => r.Status == RunStatus.TimedOut);
        await AwaitConditionAsync(() => Task.FromResult(Handled.For("stuck")[0].Cancelled), Patience);
        Assert.Equal(Start + TimeSpan.FromSeconds(30), run.FinishedUtc!.Value, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Repeated_failures_pause_the_job_after_pause_after_runs()
    {
        var job = Job("fragile", "manual", new { nonRetryable = "true" }) with { PauseAfter = 2 };
        await RegisterAsync(job);
        var first = await TriggerAsync("fragile");
        await AwaitRunAsync("fragile", first, r => r.Status == RunStatus.Failed);
        var second = await TriggerAsync("fragile");
        await AwaitRunAsync("fragile", second, r => r.Status == RunStatus.Failed);

        await AwaitAssertAsync(async () =>
        {
            var view = await Scheduler.Ask<Akka.Jobs.Contracts.Jobs.GetJobResult>(new Akka.Jobs.Contracts.Jobs.GetJob("fragile"), Patience);
            Assert.True(view.Job!.Paused);
            Assert.Contains("2 consecutive failures", view.Job.PausedReason);
        }, Patience);
    }

    [Fact]
    public async Task A_retry_decided_before_a_fail_over_still_waits_for_its_backoff()
    {
        await RegisterAsync(Job("patient", "manual", new { failUntil = "2" }));
        var runId = await TriggerAsync("patient");
        await AwaitFailedAttemptAsync("patient", runId, 1); // retry decided: not before Start + 5 s

        // The job actor and the worker are lost before the retry ran; a new scheduler wakes the busy job.
        await Workers.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("patient|main"), Patience);
        await Jobs.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("patient"), Patience);
        await FailOverSchedulerAsync();
        // Resumed: attempt 2 counts as interrupted, attempt 3 is handed out and confirmed by the new worker.
        await AwaitRunAsync("patient", runId, r => r.Attempts == 3);
        Assert.Single(Handled.For("patient"));

        Advance(TimeSpan.FromSeconds(5));

        await AwaitCallsAsync("patient", 2);
        var retry = Handled.For("patient")[1];
        Assert.Equal((3, Start.AddSeconds(5)), (retry.Context.Attempt, retry.StartedUtc));
        Assert.Equal(RunStatus.Succeeded, (await AwaitRunAsync("patient", runId, r => r.Status != RunStatus.Running)).Status);
    }
}
