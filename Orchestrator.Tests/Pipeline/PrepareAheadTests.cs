using Akka.Actor;
using Akka.Jobs.Actors;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Contracts.Runs;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>Runs are stored and handed out prepare-ahead (1 s) before their time; handlers start at the time.</summary>
public sealed class PrepareAheadTests(ITestOutputHelper output) : PipelineSpec(output)
{
    // The scheduler's sweep (1 s here, no Quartz) is what prepares in these tests: a 1 s lead makes it
    // prepare every time ahead.
    protected override JobsSettings Settings => base.Settings with { PrepareAhead = TimeSpan.FromSeconds(1) };

    [Fact]
    public async Task A_run_is_accepted_before_its_time_and_its_handler_starts_at_the_time()
    {
        await RegisterAsync(Job("punctual", "@every 10s"));
        var due = Start.AddSeconds(10);

        Advance(TimeSpan.FromSeconds(9.5), TimeSpan.FromMilliseconds(500));
        var run = await AwaitRunAsync("punctual", RunIds.For("punctual", due), r => r.Status == RunStatus.Running);
        Assert.Equal(due, run.StartedUtc);
        await Task.Delay(200); // the worker got the item; its handler must still wait
        Assert.Empty(Handled.For("punctual"));

        Advance(TimeSpan.FromSeconds(0.5), TimeSpan.FromMilliseconds(500));
        await AwaitCallsAsync("punctual", 1);
        Assert.Equal(due, Handled.For("punctual")[0].StartedUtc);
        Assert.Equal(due, Handled.For("punctual")[0].Context.ScheduledUtc);
    }

    [Fact]
    public async Task A_time_prepared_while_a_run_is_in_flight_is_decided_at_the_time_against_the_overlap_policy()
    {
        // Each run takes 9.5 s of a 10 s period: when the next time is prepared (1 s ahead) the previous
        // run is still in flight, but by the time itself it has ended, so forbid-overlap must not skip it.
        await RegisterAsync(Job("tight", "@every 10s", new { durationMs = "9500" }));

        await AdvanceUntilAsync(async () => (await RunsAsync("tight")).Count(r => r.Status == RunStatus.Succeeded) >= 3,
            TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(60));

        var runs = (await RunsAsync("tight")).OrderBy(r => r.ScheduledUtc).ToList();
        Assert.DoesNotContain(runs, r => r.Status == RunStatus.Skipped);
        // Every 10 s time from the first on is a run, and each one that finished succeeded.
        Assert.Equal(Enumerable.Range(1, runs.Count).Select(i => Start.AddSeconds(10 * i)), runs.Select(r => r.ScheduledUtc));
        Assert.All(runs.Where(r => r.Status != RunStatus.Running), r => Assert.Equal(RunStatus.Succeeded, r.Status));
        var calls = Handled.For("tight").OrderBy(c => c.StartedUtc).ToList();
        Assert.True(calls.Count >= 3);
        Assert.All(calls, c => Assert.Equal(c.Context.ScheduledUtc, c.StartedUtc));
    }

    [Fact]
    public async Task An_every_second_job_with_short_runs_runs_every_time_in_order()
    {
        // Each time is prepared while the previous run may still be in flight; times are still decided in
        // order, so none is skipped for overlapping a later time that was prepared first.
        await RegisterAsync(Job("often", "@every 1s", new { durationMs = "200" }));

        await AdvanceUntilAsync(async () => (await RunsAsync("often")).Count(r => r.Status == RunStatus.Succeeded) >= 10,
            TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60));

        var runs = (await RunsAsync("often")).OrderBy(r => r.ScheduledUtc).ToList();
        Assert.DoesNotContain(runs, r => r.Status == RunStatus.Skipped);
        // Every time: each second from the first on has one run, none missing.
        Assert.Equal(Enumerable.Range(1, runs.Count).Select(i => Start.AddSeconds(i)), runs.Select(r => r.ScheduledUtc));
        Assert.All(runs.Where(r => r.Status != RunStatus.Running), r => Assert.Equal(RunStatus.Succeeded, r.Status));
        // In order: handlers started in the order of their times, each at its time, each time once.
        var calls = Handled.For("often").OrderBy(c => c.StartedUtc).ToList();
        var succeeded = runs.Where(r => r.Status == RunStatus.Succeeded).Select(r => r.ScheduledUtc).ToList();
        Assert.Equal(succeeded, calls.Select(c => c.Context.ScheduledUtc).Take(succeeded.Count));
        Assert.Equal(calls.Select(c => c.Context.ScheduledUtc).Order(), calls.Select(c => c.Context.ScheduledUtc));
        Assert.Equal(calls.Count, calls.Select(c => c.Context.RunId).Distinct().Count());
        Assert.All(calls, c => Assert.Equal(c.Context.ScheduledUtc, c.StartedUtc));
    }

    [Fact]
    public async Task A_later_time_prepared_while_an_earlier_one_waits_is_decided_after_it()
    {
        var def = Job("ordered", "manual", new { durationMs = "500" });
        await RegisterAsync(def);
        await TriggerAsync("ordered"); // in flight for 0.5 s
        await AwaitCallsAsync("ordered", 1);
        var earlier = new Tick("ordered", Start.AddSeconds(1), TriggerKind.Scheduled, def, Start);
        var later = new Tick("ordered", Start.AddSeconds(2), TriggerKind.Scheduled, def, Start);

        Jobs.Tell(earlier); // must wait for its time: a run is in flight
        Advance(TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(100));
        await AwaitAssertAsync(async () => Assert.Contains(await RunsAsync("ordered"), r => r.Status == RunStatus.Succeeded), Patience);
        Jobs.Tell(later); // nothing in flight now, but the earlier time is still waiting
        await AdvanceUntilAsync(async () => (await RunsAsync("ordered")).Count(r => r.Status != RunStatus.Running) == 3,
            TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

        var runs = await RunsAsync("ordered");
        Assert.Equal(RunStatus.Succeeded, runs.Single(r => r.RunId == RunIds.For(earlier.JobId, earlier.ScheduledUtc)).Status);
        Assert.Equal(RunStatus.Succeeded, runs.Single(r => r.RunId == RunIds.For(later.JobId, later.ScheduledUtc)).Status);
        // Decided (and so run) in the order of the times, not of arrival at an idle moment.
        var ticks = Handled.For("ordered").Where(c => c.Context.ScheduledUtc >= earlier.ScheduledUtc).OrderBy(c => c.StartedUtc).ToList();
        Assert.Equal([earlier.ScheduledUtc, later.ScheduledUtc], ticks.Select(c => c.Context.ScheduledUtc));
        Assert.True(ticks[1].StartedUtc >= ticks[0].EndedUtc, "the later time ran while the earlier one was still running");
    }
}
