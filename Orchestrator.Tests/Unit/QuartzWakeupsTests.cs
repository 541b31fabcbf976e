using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Schedules;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

/// <summary>Quartz triggers are shared by jobs whose schedules fire at the same instants.</summary>
public sealed class QuartzWakeupsTests : Akka.TestKit.Xunit2.TestKit
{
    private static Schedule Parse(string text) => ScheduleParser.Parse(text, TimeZoneInfo.Utc);

    [Fact]
    public void Jobs_with_the_same_schedule_share_one_trigger_and_the_last_one_leaving_removes_it()
    {
        using var wakeups = new QuartzWakeups(TestActor, TimeProvider.System, Sys.Log);
        var now = TimeProvider.System.GetUtcNow();
        wakeups.Schedule("a", Parse("@every 1s"), now);
        wakeups.Schedule("b", Parse("@every 1s"), now);
        wakeups.Schedule("c", Parse("@every 1h"), now);
        wakeups.Schedule("m", Parse("manual"), now);
        var second = QuartzWakeups.KeyOf(Parse("@every 1s"))!;

        Assert.Equal(["a", "b"], wakeups.JobsOf(second).Order());
        Assert.Equal(["c"], wakeups.JobsOf(QuartzWakeups.KeyOf(Parse("@every 1h"))!));
        Assert.Null(QuartzWakeups.KeyOf(Parse("manual")));

        // The shared trigger fires with the key both jobs are listed under.
        FishForMessage<QuartzWakeups.Due>(d => d.Key == second, TimeSpan.FromSeconds(10));

        wakeups.Schedule("b", Parse("@every 1h"), now); // moves to the other trigger
        Assert.Equal(["a"], wakeups.JobsOf(second));
        wakeups.Unschedule("a");
        Assert.Empty(wakeups.JobsOf(second));
        Assert.Equal(["b", "c"], wakeups.JobsOf(QuartzWakeups.KeyOf(Parse("@every 1h"))!).Order());
    }

    [Fact]
    public void Cron_schedules_share_a_trigger_only_in_the_same_zone()
    {
        var berlin = ScheduleParser.Parse("0 2 * * *", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        var utc = Parse("0 2 * * *");
        Assert.NotEqual(QuartzWakeups.KeyOf(berlin), QuartzWakeups.KeyOf(utc));
        Assert.Equal(QuartzWakeups.KeyOf(utc), QuartzWakeups.KeyOf(Parse("0 2 * * *")));
    }
}
