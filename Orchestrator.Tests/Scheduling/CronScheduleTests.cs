using Akka.Jobs.Domain.Schedules;
using Xunit;
using static Akka.Jobs.Tests.Scheduling.TestTime;

namespace Akka.Jobs.Tests.Scheduling;

public class CronScheduleTests
{
    [Theory]
    [InlineData("2026-02-01T00:00:00Z", "2026-02-28T12:00:00Z")]
    [InlineData("2028-02-01T00:00:00Z", "2028-02-29T12:00:00Z")] // leap year
    [InlineData("2026-02-28T12:00:00Z", "2026-03-31T12:00:00Z")]
    public void L_in_day_of_month_is_the_last_day(string after, string expected)
    {
        var schedule = ScheduleParser.Parse("0 0 12 L * ?", Utc);
        Assert.Equal(U(expected), schedule.NextAfter(U(after)));
    }

    [Theory]
    [InlineData("2026-08-01T00:00:00Z", "2026-08-14T12:00:00Z")] // 15th is a Saturday → Friday 14th
    [InlineData("2026-11-01T00:00:00Z", "2026-11-16T12:00:00Z")] // 15th is a Sunday → Monday 16th
    [InlineData("2026-05-01T00:00:00Z", "2026-05-15T12:00:00Z")] // 15th is a Friday
    public void W_in_day_of_month_is_the_nearest_weekday(string after, string expected)
    {
        var schedule = ScheduleParser.Parse("0 0 12 15W * ?", Utc);
        Assert.Equal(U(expected), schedule.NextAfter(U(after)));
    }

    [Fact]
    public void Hash_and_L_in_quartz_day_of_week()
    {
        Assert.Equal(U("2026-01-12T12:00:00Z"), ScheduleParser.Parse("0 0 12 ? * 2#2", Utc).NextAfter(U("2026-01-01T00:00:00Z")));
        Assert.Equal(U("2026-01-30T12:00:00Z"), ScheduleParser.Parse("0 0 12 ? * 6L", Utc).NextAfter(U("2026-01-01T00:00:00Z")));
    }

    [Fact]
    public void Next_is_strictly_after_the_reference_instant()
    {
        var schedule = ScheduleParser.Parse("0 0 12 * * ?", Utc);
        Assert.Equal(U("2026-01-02T12:00:00Z"), schedule.NextAfter(U("2026-01-01T12:00:00Z")));
        Assert.Equal(U("2026-01-01T12:00:00Z"), schedule.NextAfter(U("2026-01-01T11:59:59.999Z")));
    }

    [Fact]
    public void Results_are_utc_whatever_the_zone_and_input_offset()
    {
        var schedule = ScheduleParser.Parse("0 0 9 * * ?", NewYork);
        var next = schedule.NextAfter(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(5)));
        Assert.Equal(TimeSpan.Zero, next!.Value.Offset);
        Assert.Equal(U("2026-01-01T14:00:00Z"), next); // 09:00 EST, reference was 2025-12-31T19:00Z
        Assert.All(schedule.Upcoming(U("2026-01-01T00:00:00Z"), 5), t => Assert.Equal(TimeSpan.Zero, t.Offset));
    }

    [Fact]
    public void A_cron_with_only_past_years_has_no_next_fire()
    {
        var schedule = ScheduleParser.Parse("0 0 12 1 1 ? 2025", Utc);
        Assert.Null(schedule.NextAfter(U("2026-01-01T00:00:00Z")));
        Assert.Empty(schedule.Upcoming(U("2026-01-01T00:00:00Z"), 3));
        Assert.Equal(U("2025-01-01T12:00:00Z"), schedule.NextAfter(U("2024-06-01T00:00:00Z")));
    }

    [Fact]
    public void Seven_field_year_restricted_schedule_ends()
    {
        var schedule = ScheduleParser.Parse("0 0 0 1 * ? 2027", Utc);
        var fires = schedule.Upcoming(U("2026-01-01T00:00:00Z"), 100);
        Assert.Equal(12, fires.Count);
        Assert.Equal(U("2027-01-01T00:00:00Z"), fires[0]);
        Assert.Equal(U("2027-12-01T00:00:00Z"), fires[^1]);
    }
}
