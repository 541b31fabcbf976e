using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

public sealed class FailoverTests(ITestOutputHelper output) : PipelineSpec(output)
{
    [Fact]
    public async Task Scheduler_failover_re_emits_from_the_watermark_without_doubling_runs()
    {
        await RegisterAsync(Job("steady", "@every 5s"));
        await AdvanceUntilAsync(async () => (await RunsAsync("steady")).Count >= 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        // Hard stop: acknowledged times after the last checkpoint are emitted again by the successor.
        await FailOverSchedulerAsync();
        await AdvanceUntilAsync(async () => (await RunsAsync("steady")).Count >= 6, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        var runs = (await RunsAsync("steady")).OrderBy(r => r.ScheduledUtc).ToList();
        // Every 5 s time exactly once, across the failover: none lost, none doubled.
        Assert.Equal(Enumerable.Range(1, runs.Count).Select(i => Start.AddSeconds(5 * i)), runs.Select(r => r.ScheduledUtc));
        Assert.Equal(Handled.For("steady").Count, Handled.For("steady").Select(c => c.Context.RunId).Distinct().Count());
        Assert.All(runs, r => Assert.NotEqual(RunStatus.Skipped, r.Status));
        Assert.All(runs.Where(r => r.Status == RunStatus.Succeeded), r => Assert.Contains(Handled.For("steady"), c => c.Context.RunId == r.RunId));
    }

    [Fact]
    public async Task Downtime_is_handled_by_fire_once_one_catch_up_run_and_the_rest_skipped_as_misfire()
    {
        await RegisterAsync(Job("daily-ish", "@every 10s"));
        await AdvanceUntilAsync(async () => (await RunsAsync("daily-ish")).Count >= 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Advance(TimeSpan.FromSeconds(2)); // let the checkpoint persist the watermark

        await FailOverSchedulerAsync(downtime: TimeSpan.FromSeconds(100));
        await AdvanceUntilAsync(async () => (await RunsAsync("daily-ish")).Any(r => r.Trigger == TriggerKind.CatchUp),
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        var runs = await RunsAsync("daily-ish");
        var catchUp = Assert.Single(runs, r => r.Trigger == TriggerKind.CatchUp);
        var misfires = runs.Where(r => r.Reason == "misfire").ToList();
        Assert.NotEmpty(misfires);
        Assert.All(misfires, m => Assert.True(m.ScheduledUtc < catchUp.ScheduledUtc));
        Assert.Equal(runs.Count, runs.Select(r => r.ScheduledUtc).Distinct().Count());
        // Between the first and the latest record, every 10-second time is accounted for exactly once.
        var times = runs.Select(r => r.ScheduledUtc).OrderBy(t => t).ToList();
        Assert.Equal((int)((times[^1] - times[0]).TotalSeconds / 10) + 1, times.Count);
    }

    [Fact]
    public async Task Skip_misfire_policy_runs_none_of_the_missed_times()
    {
        await RegisterAsync(Job("skipper", "@every 10s") with { Misfire = MisfirePolicy.Skip });
        await FailOverSchedulerAsync(downtime: TimeSpan.FromSeconds(60));
        Advance(TimeSpan.FromSeconds(1));

        // 10 s … 50 s are late; 60 s is due right now and runs on time.
        await AwaitAssertAsync(async () => Assert.Equal(5, (await RunsAsync("skipper")).Count(r => r.Reason == "misfire")), Patience);
        var misfires = (await RunsAsync("skipper")).Where(r => r.Reason == "misfire").ToList();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => Start.AddSeconds(10 * i)), misfires.Select(r => r.ScheduledUtc).Order());
        Assert.All(misfires, m => Assert.Equal(RunStatus.Skipped, m.Status));
        await AwaitCallsAsync("skipper", 1);
        var onTime = Assert.Single(Handled.For("skipper"));
        Assert.Equal(Start.AddSeconds(60), onTime.Context.ScheduledUtc);
    }

    [Fact]
    public async Task Fire_all_runs_every_missed_time_up_to_max_catch_up()
    {
        await RegisterAsync(Job("all", "@every 10s") with { Misfire = MisfirePolicy.FireAll, MaxCatchUp = 4, Overlap = OverlapPolicy.Allow });
        await FailOverSchedulerAsync(downtime: TimeSpan.FromSeconds(60));
        Advance(TimeSpan.FromSeconds(1));

        await AwaitAssertAsync(async () =>
        {
            var runs = await RunsAsync("all");
            Assert.Equal(4, runs.Count(r => r.Trigger == TriggerKind.CatchUp));
            // 10 s … 50 s are late: the latest four run, the oldest is skipped; 60 s runs on time.
            Assert.Equal(1, runs.Count(r => r.Reason == "misfire: beyond max-catch-up"));
            Assert.Equal(Enumerable.Range(2, 4).Select(i => Start.AddSeconds(10 * i)),
                runs.Where(r => r.Trigger == TriggerKind.CatchUp).Select(r => r.ScheduledUtc).Order());
            Assert.Equal(Start.AddSeconds(10), runs.Single(r => r.Reason == "misfire: beyond max-catch-up").ScheduledUtc);
            var onTime = runs.Where(r => r.Trigger == TriggerKind.Scheduled && r.Status != RunStatus.Skipped).ToList();
            Assert.True(onTime.Count == 1, string.Join(", ", runs.Select(r => $"{r.RunId}:{r.Trigger}:{r.Status}:{r.Reason}")));
            Assert.Equal(Start.AddSeconds(60), onTime[0].ScheduledUtc);
        }, Patience);
    }

    [Fact]
    public async Task Supervisor_restarted_mid_run_resumes_the_run_with_the_next_attempt()
    {
        await RegisterAsync(Job("resumable", "manual", new { hang = "true" }));
        var runId = await TriggerAsync("resumable");
        await AwaitCallsAsync("resumable", 1);

        await Workers.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("resumable|main"), Patience);
        await Jobs.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("resumable"), Patience);
        await Scheduler.Ask<object>(new Akka.Jobs.Contracts.Jobs.GetJob("resumable"), Patience);
        await FailOverSchedulerAsync(); // a new scheduler wakes every supervisor

        await AwaitCallsAsync("resumable", 2);
        Assert.Equal(2, Handled.For("resumable")[1].Context.Attempt);
        var run = await AwaitRunAsync("resumable", runId, r => r.Status == RunStatus.Running);
        Assert.Equal(runId, Handled.For("resumable")[1].Context.RunId);
        Assert.Equal(2, run.Attempts);
    }

    [Fact]
    public async Task Supervisor_restarted_mid_run_records_interrupted_when_the_policy_says_fail()
    {
        await RegisterAsync(Job("fragile-run", "manual", new { hang = "true" }) with { OnInterrupt = InterruptPolicy.Fail });
        var runId = await TriggerAsync("fragile-run");
        await AwaitCallsAsync("fragile-run", 1);

        await Workers.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("fragile-run|main"), Patience);
        await Jobs.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("fragile-run"), Patience);
        await FailOverSchedulerAsync();

        var run = await AwaitRunAsync("fragile-run", runId, r => r.Status == RunStatus.Interrupted);
        Assert.Contains("interrupted", run.Reason);
        Assert.Single(Handled.For("fragile-run"));
    }

    [Fact]
    public async Task Item_whose_worker_went_silent_is_dispatched_again_after_the_lease()
    {
        await RegisterAsync(Job("orphan", "manual", new { hang = "true" }) with { Timeout = TimeSpan.FromHours(1) });
        var runId = await TriggerAsync("orphan");
        await AwaitCallsAsync("orphan", 1);

        // The worker disappears (its node died); the supervisor lives on.
        await Workers.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("orphan|main"), Patience);
        await AdvanceUntilAsync(() => Task.FromResult(Handled.For("orphan").Count >= 2), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10));

        var second = Handled.For("orphan")[1];
        Assert.Equal(2, second.Context.Attempt);
        Assert.Equal(runId, second.Context.RunId);
        Assert.True(second.StartedUtc - Handled.For("orphan")[0].StartedUtc >= Settings.WorkLease);
        var run = await AwaitRunAsync("orphan", runId, r => r.Status == RunStatus.Running);
        Assert.Contains("lost", run.Error);
    }

    [Fact]
    public async Task Worker_heartbeats_keep_a_long_item_from_being_presumed_lost()
    {
        await RegisterAsync(Job("marathon", "manual", new { durationMs = "900000" }) with { Timeout = TimeSpan.FromHours(1) });
        var runId = await TriggerAsync("marathon");
        await AwaitCallsAsync("marathon", 1);

        await AdvanceUntilAsync(async () => (await RunsAsync("marathon")).Single().Status == RunStatus.Succeeded,
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(20));

        Assert.Single(Handled.For("marathon"));
        Assert.Equal(1, (await AwaitRunAsync("marathon", runId, r => r.Status == RunStatus.Succeeded)).Attempts);
    }

    [Fact]
    public async Task Worker_repeats_a_finished_outcome_to_a_recovered_supervisor_instead_of_running_the_item_again()
    {
        await RegisterAsync(Job("once", "manual", new { durationMs = "5000" }));
        var runId = await TriggerAsync("once");
        await AwaitCallsAsync("once", 1);

        // The supervisor dies mid-run; the worker finishes and its report restarts the supervisor,
        // which resumes the run and dispatches the item again.
        await Jobs.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("once"), Patience);
        Advance(TimeSpan.FromSeconds(5));

        var run = await AwaitRunAsync("once", runId, r => r.Status == RunStatus.Succeeded);
        Advance(TimeSpan.FromSeconds(30));
        await RunsAsync("once");
        Assert.Single(Handled.For("once"));
        Assert.Equal(1, run.Attempts);
    }

    [Fact]
    public async Task New_scheduler_wakes_only_the_supervisors_with_runs_in_flight()
    {
        await RegisterAsync(Job("busy", "manual", new { hang = "true" }));
        await RegisterAsync(Job("idle", "manual"));
        var idleRun = await TriggerAsync("idle");
        await AwaitRunAsync("idle", idleRun, r => r.Status == RunStatus.Succeeded);
        await TriggerAsync("busy");
        await AwaitCallsAsync("busy", 1);
        Advance(TimeSpan.FromSeconds(2)); // a checkpoint records that "idle" went idle again

        await Workers.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("busy|main"), Patience);
        foreach (var id in new[] { "busy", "idle" }) await Jobs.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity(id), Patience);
        await FailOverSchedulerAsync();

        await AwaitCallsAsync("busy", 2);
        Assert.Equal(2, Handled.For("busy")[1].Context.Attempt);
        var alive = await Jobs.Ask<List<string>>(new LocalRegion.ListEntities(), Patience);
        Assert.Contains("busy", alive);
        Assert.DoesNotContain("idle", alive);
    }

    [Fact]
    public async Task A_job_whose_supervisor_is_asleep_is_woken_before_its_due_time()
    {
        var due = Start.AddMinutes(10);
        await RegisterAsync(Job("later", $"@at {due:yyyy-MM-ddTHH:mm:ssZ}"));
        Assert.DoesNotContain("later", await Jobs.Ask<List<string>>(new LocalRegion.ListEntities(), Patience));

        Advance(due - Clock.GetUtcNow() - TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(async () =>
            Assert.Contains("later", await Jobs.Ask<List<string>>(new LocalRegion.ListEntities(), Patience)), Patience);
        Assert.Empty(Handled.For("later"));

        await AdvanceUntilAsync(() => Task.FromResult(Handled.For("later").Count == 1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.Equal(due, Handled.For("later")[0].Context.ScheduledUtc);
    }

    [Fact]
    public async Task Work_on_a_node_that_left_the_cluster_is_dispatched_again_at_once_not_after_the_lease()
    {
        await RegisterAsync(Job("stranded", "manual", new { hang = "true" }));
        var runId = await TriggerAsync("stranded");
        await AwaitCallsAsync("stranded", 1);
        await AwaitAssertAsync(async () => Assert.Equal("test-node", (await RunsAsync("stranded")).Single().Node), Patience);
        await Workers.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("stranded|main"), Patience); // its node died

        // The work lease here is 5 minutes of virtual time, and none passes: only the removal can do it.
        Jobs.Tell(new Akka.Jobs.Domain.Protocol.NodeRemoved("stranded", "test-node"));

        await AwaitCallsAsync("stranded", 2);
        Assert.Equal(2, Handled.For("stranded")[1].Context.Attempt);
        Assert.Equal(runId, Handled.For("stranded")[1].Context.RunId);
    }
}
