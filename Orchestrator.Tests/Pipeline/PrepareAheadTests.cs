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

        var runs = await RunsAsync("tight");
        Assert.DoesNotContain(runs, r => r.Status == RunStatus.Skipped);
        var calls = Handled.For("tight").OrderBy(c => c.StartedUtc).ToList();
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

        var runs = await RunsAsync("often");
        Assert.DoesNotContain(runs, r => r.Status == RunStatus.Skipped);
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
    }
}
