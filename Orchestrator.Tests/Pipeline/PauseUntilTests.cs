using Akka.Actor;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>A pause with an end and a note, on virtual time: it ends by itself, also when it ended while no scheduler ran.</summary>
public sealed class PauseUntilTests(ITestOutputHelper output) : PipelineSpec(output)
{
    [Fact]
    public async Task A_pause_with_an_end_resumes_by_itself_and_the_times_it_skipped_carry_its_note()
    {
        await RegisterAsync(Job("nap", "@every 10s"));
        Assert.IsType<CommandAck>(await Scheduler.Ask<object>(new PauseJob("nap", "deploy", Start.AddSeconds(35), "ops"), Patience));
        var job = (await Scheduler.Ask<GetJobResult>(new GetJob("nap"), Patience)).Job!;
        Assert.Equal(("deploy (paused by ops)", Start.AddSeconds(35)), (job.PausedReason, job.PausedUntilUtc));

        await AdvanceUntilAsync(() => Task.FromResult(Handled.For("nap").Count >= 1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal(Start.AddSeconds(40), Handled.For("nap")[0].Context.ScheduledUtc);
        Assert.False((await Scheduler.Ask<GetJobResult>(new GetJob("nap"), Patience)).Job!.Paused);
        var skipped = (await RunsAsync("nap")).Where(r => r.Status == RunStatus.Skipped).ToList();
        Assert.Equal([Start.AddSeconds(10), Start.AddSeconds(20), Start.AddSeconds(30)], skipped.Select(r => r.ScheduledUtc).Order());
        Assert.All(skipped, r => Assert.Equal("paused: deploy", r.Reason));
    }

    [Fact]
    public async Task A_pause_that_ended_while_no_scheduler_ran_ends_at_its_end_and_later_times_follow_the_misfire_policy()
    {
        await RegisterAsync(Job("downtime", "@every 10s"));
        Assert.IsType<CommandAck>(await Scheduler.Ask<object>(new PauseJob("downtime", "maintenance", Start.AddSeconds(25), "ops"), Patience));
        Advance(TimeSpan.FromSeconds(2)); // a checkpoint stores what was emitted

        await FailOverSchedulerAsync(downtime: TimeSpan.FromSeconds(100));
        await AdvanceUntilAsync(async () => (await RunsAsync("downtime")).Any(r => r.Trigger == TriggerKind.CatchUp),
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        var runs = await RunsAsync("downtime");
        Assert.False((await Scheduler.Ask<GetJobResult>(new GetJob("downtime"), Patience)).Job!.Paused);
        var paused = runs.Where(r => r.Reason?.StartsWith("paused", StringComparison.Ordinal) == true).ToList();
        Assert.Equal([Start.AddSeconds(10), Start.AddSeconds(20)], paused.Select(r => r.ScheduledUtc).Order());
        Assert.All(paused, r => Assert.StartsWith("paused: maintenance", r.Reason));
        // After the pause's end the downtime is handled like any other: missed times, one catch-up run (fire-once).
        var catchUp = Assert.Single(runs, r => r.Trigger == TriggerKind.CatchUp);
        Assert.True(catchUp.ScheduledUtc > Start.AddSeconds(25));
        Assert.All(runs.Where(r => r.ScheduledUtc > Start.AddSeconds(25) && r.Status == RunStatus.Skipped), r => Assert.Equal("misfire", r.Reason));
        Assert.Equal(runs.Count, runs.Select(r => r.ScheduledUtc).Distinct().Count());
    }
}
