using Akka.Actor;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>A changed schedule applies from the change on: the old one's times before it are the old one's.</summary>
public sealed class ScheduleChangeTests(ITestOutputHelper output) : PipelineSpec(output)
{
    [Fact]
    public async Task Hourly_changed_to_every_minute_just_before_the_hour_records_no_missed_minutes()
    {
        await RegisterAsync(Job("hourly", "0 * * * *"));
        Advance(TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(1)); // 12:59, no time of the hourly schedule yet
        await RegisterAsync(Job("hourly", "* * * * *"));

        await AdvanceUntilAsync(async () => (await RunsAsync("hourly")).Count(r => r.Status == RunStatus.Succeeded) >= 3,
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

        var runs = await RunsAsync("hourly");
        Assert.DoesNotContain(runs, r => r.ScheduledUtc < Start.AddMinutes(60));
        Assert.DoesNotContain(runs, r => r.Status == RunStatus.Skipped || r.Trigger == TriggerKind.CatchUp);
        Assert.Equal(runs.Count, runs.Select(r => r.ScheduledUtc).Distinct().Count());
    }

    [Fact]
    public async Task A_schedule_changed_while_paused_records_the_old_times_then_the_new_ones_as_paused_each_once()
    {
        await RegisterAsync(Job("every", "* * * * *"));
        Advance(TimeSpan.FromSeconds(30));
        Assert.IsType<CommandAck>(await Scheduler.Ask<object>(new PauseJob("every"), Patience));
        Advance(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30)); // 12:10:30
        await RegisterAsync(Job("every", "*/5 * * * *"));
        Advance(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30)); // 12:20:30
        Assert.IsType<CommandAck>(await Scheduler.Ask<object>(new ResumeJob("every"), Patience));

        await AdvanceUntilAsync(async () => (await RunsAsync("every")).Any(r => r.Status == RunStatus.Succeeded && r.ScheduledUtc == Start.AddMinutes(30)),
            TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(12));

        var runs = await RunsAsync("every");
        var covered = runs.SelectMany(r => r.SkippedTimes > 1 ? Minutes(r) : [r.ScheduledUtc]).Order().ToList();
        // Every minute 12:01-12:10 of the old schedule, then 12:15 and 12:20 of the new one while paused, then 12:25, 12:30.
        DateTimeOffset[] expected = [.. Enumerable.Range(1, 10).Select(m => Start.AddMinutes(m)), Start.AddMinutes(15), Start.AddMinutes(20),
            Start.AddMinutes(25), Start.AddMinutes(30)];
        Assert.Equal(expected, covered);
        Assert.All(runs.Where(r => r.ScheduledUtc <= Start.AddMinutes(20)), r => Assert.StartsWith("paused", r.Reason));
        Assert.All(runs.Where(r => r.ScheduledUtc > Start.AddMinutes(20)), r => Assert.Equal(RunStatus.Succeeded, r.Status));
    }

    /// <summary>The minutes a range record of the every-minute schedule stands for.</summary>
    private static IEnumerable<DateTimeOffset> Minutes(RunView range) =>
        Enumerable.Range(0, range.SkippedTimes).Select(i => range.ScheduledUtc.AddMinutes(i));
}
