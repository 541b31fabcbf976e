using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

public sealed class SchedulingTests(ITestOutputHelper output) : PipelineSpec(output)
{
    [Fact]
    public async Task Every_scheduled_time_becomes_one_run_with_a_deterministic_id()
    {
        await RegisterAsync(Job("beat", "@every 10s"));

        await AdvanceUntilAsync(async () => (await RunsAsync("beat")).Count(r => r.Status == RunStatus.Succeeded) >= 3,
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        var runs = (await RunsAsync("beat")).OrderBy(r => r.ScheduledUtc).ToList();
        Assert.Equal("beat@20260105T120010.000Z", runs[0].RunId);
        // Every time from the first on, none missing and none twice, each under the id derived from it.
        Assert.Equal(Enumerable.Range(1, runs.Count).Select(i => Start.AddSeconds(10 * i)), runs.Select(r => r.ScheduledUtc));
        Assert.All(runs, r => Assert.Equal(RunIds.For("beat", r.ScheduledUtc), r.RunId));
        Assert.All(runs, r => Assert.Equal(TriggerKind.Scheduled, r.Trigger));
        // Each decided time ran its handler once.
        var handled = Handled.For("beat").Select(c => c.Context.RunId).ToList();
        Assert.Equal(handled.Distinct(), handled);
        Assert.All(runs.Where(r => r.Status == RunStatus.Succeeded), r => Assert.Contains(r.RunId, handled));
    }

    [Fact]
    public async Task Duplicate_tick_creates_no_second_run_and_is_acknowledged_as_duplicate()
    {
        var def = Job("dup", "manual");
        await RegisterAsync(def);
        var at = Start.AddMinutes(-1);
        var tick = new Tick("dup", at, TriggerKind.Scheduled, def, Start);

        var first = await Jobs.Ask<TickAck>(tick, Patience);
        var second = await Jobs.Ask<TickAck>(tick, Patience);

        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        await AwaitRunAsync("dup", first.RunId, r => r.Status == RunStatus.Succeeded);
        Assert.Single(await RunsAsync("dup"));
        Assert.Single(Handled.For("dup"));
    }

    [Fact]
    public async Task Late_tick_arriving_out_of_order_is_still_decided_once()
    {
        var def = Job("ooo", "manual") with { Overlap = OverlapPolicy.Allow };
        await RegisterAsync(def);
        var later = new Tick("ooo", Start.AddMinutes(-1), TriggerKind.Scheduled, def, Start);
        var earlier = new Tick("ooo", Start.AddMinutes(-2), TriggerKind.Scheduled, def, Start);

        Assert.False((await Jobs.Ask<TickAck>(later, Patience)).Duplicate);
        Assert.False((await Jobs.Ask<TickAck>(earlier, Patience)).Duplicate);
        Assert.True((await Jobs.Ask<TickAck>(earlier, Patience)).Duplicate);

        await AwaitAssertAsync(async () => Assert.Equal(2, (await RunsAsync("ooo")).Count(r => r.Status == RunStatus.Succeeded)), Patience);
        Assert.Equal(new[] { earlier, later }.Select(t => RunIds.For("ooo", t.ScheduledUtc)).Order(), (await RunsAsync("ooo")).Select(r => r.RunId).Order());
        Assert.Equal(2, Handled.For("ooo").Select(c => c.Context.RunId).Distinct().Count());
        Assert.Equal(2, Handled.For("ooo").Count);
    }

    [Fact]
    public async Task Forbid_overlap_never_runs_two_at_once_and_records_skipped_times_as_overlap()
    {
        var def = Job("slow", "@every 1s", new { durationMs = "3500" });
        await RegisterAsync(def);

        await AdvanceUntilAsync(async () => (await RunsAsync("slow")).Count(r => r.Status == RunStatus.Succeeded) >= 3,
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(60));

        var runs = await RunsAsync("slow");
        var calls = Handled.For("slow").Where(c => c.EndedUtc is not null).OrderBy(c => c.StartedUtc).ToList();
        for (var i = 1; i < calls.Count; i++)
            Assert.True(calls[i].StartedUtc >= calls[i - 1].EndedUtc,
                $"{calls[i].Context.RunId} started at {calls[i].StartedUtc:O} before {calls[i - 1].Context.RunId} ended at {calls[i - 1].EndedUtc:O}");
        var skipped = runs.Where(r => r.Status == RunStatus.Skipped).ToList();
        Assert.NotEmpty(skipped);
        Assert.All(skipped, s => Assert.Equal("overlap", s.Reason));
        // Every scheduled time up to the last decided one has exactly one record.
        var times = runs.Select(r => r.ScheduledUtc).OrderBy(t => t).ToList();
        Assert.Equal(times.Count, times.Distinct().Count());
        Assert.Equal((int)(times[^1] - times[0]).TotalSeconds + 1, times.Count);
    }

    [Fact]
    public async Task Allow_overlap_runs_concurrently()
    {
        var def = Job("par", "manual", new { hang = "true" }) with { Overlap = OverlapPolicy.Allow };
        await RegisterAsync(def);
        await TriggerAsync("par");
        await TriggerAsync("par");

        await AwaitAssertAsync(async () => Assert.Equal(2, (await RunsAsync("par")).Count(r => r.Status == RunStatus.Running)), Patience);
        // Both handlers are in flight at the same time.
        await AwaitCallsAsync("par", 2);
        Assert.All(Handled.For("par"), c => Assert.Null(c.EndedUtc));
        Assert.Equal(2, Handled.For("par").Select(c => c.Context.RunId).Distinct().Count());
    }

    [Fact]
    public async Task Replace_overlap_cancels_the_running_run()
    {
        var def = Job("repl", "manual", new { hang = "true" }) with { Overlap = OverlapPolicy.Replace };
        await RegisterAsync(def);
        var first = await TriggerAsync("repl");
        await AwaitCallsAsync("repl", 1);
        var second = await TriggerAsync("repl");

        var old = await AwaitRunAsync("repl", first, r => r.Status == RunStatus.Cancelled);
        Assert.Contains(second, old.Reason);
        await AwaitConditionAsync(() => Task.FromResult(Handled.For("repl")[0].Cancelled), Patience);
        await AwaitRunAsync("repl", second, r => r.Status == RunStatus.Running);
    }

    [Fact]
    public async Task Buffer_one_queues_one_run_and_starts_it_when_the_current_one_ends()
    {
        var def = Job("buf", "manual", new { durationMs = "10000" }) with { Overlap = OverlapPolicy.BufferOne };
        await RegisterAsync(def);
        var first = await TriggerAsync("buf");
        await AwaitCallsAsync("buf", 1);
        var queued = await TriggerAsync("buf");
        var third = await TriggerAsync("buf");

        await AwaitRunAsync("buf", queued, r => r.Status == RunStatus.Queued);
        var skipped = await AwaitRunAsync("buf", third, r => r.Status == RunStatus.Skipped);
        Assert.Equal("overlap", skipped.Reason);

        Advance(TimeSpan.FromSeconds(10));
        await AwaitRunAsync("buf", first, r => r.Status == RunStatus.Succeeded);
        await AwaitCallsAsync("buf", 2);
        Advance(TimeSpan.FromSeconds(10));
        await AwaitRunAsync("buf", queued, r => r.Status == RunStatus.Succeeded);
        // The queued run started only after the first ended; the skipped one never ran.
        var calls = Handled.For("buf");
        Assert.Equal([first, queued], calls.Select(c => c.Context.RunId));
        Assert.True(calls[1].StartedUtc >= calls[0].EndedUtc);
    }

    [Fact]
    public async Task Fan_out_runs_every_entity_and_respects_max_parallel()
    {
        var def = Job("fan", "manual", new { durationMs = "1000" }) with { Entities = ["a", "b", "c", "d", "e"], MaxParallel = 2 };
        await RegisterAsync(def);
        var runId = await TriggerAsync("fan");

        await AwaitCallsAsync("fan", 2);
        Assert.Equal(2, Handled.For("fan").Count);
        await AdvanceUntilAsync(async () => (await RunsAsync("fan")).Single().Status == RunStatus.Succeeded,
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
        Assert.Equal(["a", "b", "c", "d", "e"], Handled.For("fan").Select(c => c.Context.ItemKey).Order());
        Assert.Equal(5, (await RunsAsync("fan")).Single(r => r.RunId == runId).Items);
        // At no instant were more than two items in flight.
        var calls = Handled.For("fan");
        Assert.All(calls, c => Assert.NotNull(c.EndedUtc));
        foreach (var c in calls)
        {
            var inFlight = calls.Count(o => o.StartedUtc <= c.StartedUtc && o.EndedUtc > c.StartedUtc);
            Assert.True(inFlight <= 2, $"{inFlight} items in flight when {c.Context.ItemKey} started at {c.StartedUtc:O}");
        }
    }

    [Fact]
    public async Task Paused_job_creates_no_runs_and_records_the_paused_times_as_skipped_on_resume()
    {
        await RegisterAsync(Job("nap", "@every 10s"));
        await Scheduler.Ask<CommandAck>(new PauseJob("nap"), Patience);
        Advance(TimeSpan.FromSeconds(35));
        await Scheduler.Ask<CommandAck>(new ResumeJob("nap"), Patience);

        await AwaitAssertAsync(async () => Assert.Equal(3, (await RunsAsync("nap")).Count(r => r.Status == RunStatus.Skipped)), Patience);
        var runs = await RunsAsync("nap");
        Assert.Equal([Start.AddSeconds(10), Start.AddSeconds(20), Start.AddSeconds(30)], runs.Select(r => r.ScheduledUtc).Order());
        Assert.All(runs, r => Assert.Equal("paused", r.Reason));
        Assert.Empty(Handled.For("nap"));

        // Resumed, the job fires again at its next time.
        await AdvanceUntilAsync(() => Task.FromResult(Handled.For("nap").Count >= 1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.Equal(Start.AddSeconds(40), Handled.For("nap")[0].Context.ScheduledUtc);
    }

    [Fact]
    public async Task Removed_job_cancels_its_run_and_stops_firing()
    {
        await RegisterAsync(Job("gone", "manual", new { hang = "true" }));
        var runId = await TriggerAsync("gone");
        await AwaitCallsAsync("gone", 1);

        await Scheduler.Ask<CommandAck>(new RemoveJob("gone"), Patience);

        var run = await AwaitRunAsync("gone", runId, r => r.Status == RunStatus.Cancelled);
        Assert.Equal("job removed", run.Reason);
        var reply = await Scheduler.Ask<object>(new TriggerJob("gone"), Patience);
        Assert.IsType<CommandRejected>(reply);
    }
}
