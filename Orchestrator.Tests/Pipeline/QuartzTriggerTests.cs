using Akka.Jobs.Actors;
using Akka.Jobs.Contracts.Runs;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>
/// The node's trigger path: Quartz.NET (on the injected clock, here virtual) fires the schedule's trigger and the
/// scheduler emits the due time. The safety-net sweep is an hour here and nothing is prepared ahead, so only a
/// Quartz firing can make a run.
/// </summary>
public sealed class QuartzTriggerTests(ITestOutputHelper output) : PipelineSpec(output)
{
    protected override JobsSettings Settings { get; } = new()
    {
        UseQuartz = true,
        SweepInterval = TimeSpan.FromHours(1),
        PrepareAhead = TimeSpan.Zero,
        CheckpointInterval = TimeSpan.FromSeconds(1),
        TickResendAfter = TimeSpan.FromSeconds(3),
        HeartbeatInterval = TimeSpan.FromSeconds(5),
        WorkLease = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public async Task Quartz_trigger_fires_each_time_of_an_interval_schedule_on_virtual_time()
    {
        await RegisterAsync(Job("quartz", "@every 10s"));

        await AdvanceUntilAsync(async () => (await RunsAsync("quartz")).Count(r => r.Status == RunStatus.Succeeded) >= 3,
            TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(2));

        var runs = (await RunsAsync("quartz")).OrderBy(r => r.ScheduledUtc).Take(3).ToList();
        Assert.Equal([Start.AddSeconds(10), Start.AddSeconds(20), Start.AddSeconds(30)], runs.Select(r => r.ScheduledUtc));
        Assert.All(runs, r => Assert.Equal((RunStatus.Succeeded, TriggerKind.Scheduled), (r.Status, r.Trigger)));
        Assert.Equal(runs.Select(r => r.ScheduledUtc), Handled.For("quartz").Take(3).Select(c => c.Context.ScheduledUtc));
    }
}
