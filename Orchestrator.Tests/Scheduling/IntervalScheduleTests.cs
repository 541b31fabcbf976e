using Akka.Jobs.Domain.Schedules;
using Xunit;
using static Akka.Jobs.Tests.Scheduling.TestTime;

namespace Akka.Jobs.Tests.Scheduling;

public class IntervalScheduleTests
{
    [Theory]
    [InlineData("@every 90s", 90_000L)]
    [InlineData("@every 5m", 300_000L)]
    [InlineData("@every 1h30m", 5_400_000L)]
    [InlineData("@every 2h", 7_200_000L)]
    [InlineData("@every 1d", 86_400_000L)]
    [InlineData("@every 1s", 1_000L)]
    [InlineData("@every 1500ms", 1_500L)]
    [InlineData("@every 366d", 31_622_400_000L)]
    [InlineData("@every 00:10:00", 600_000L)]
    [InlineData("@EVERY 5M", 300_000L)]
    [InlineData("  @every   90s  ", 90_000L)]
    public void Every_parses_durations(string text, long milliseconds)
    {
        var schedule = Assert.IsType<IntervalSchedule>(ScheduleParser.Parse(text, Berlin));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), schedule.Interval);
        Assert.Equal(text.Trim(), schedule.Text);
    }

    [Theory]
    [InlineData("@every 500ms", "shorter than the minimum of 1 second")]
    [InlineData("@every 0s", "shorter than the minimum of 1 second")]
    [InlineData("@every 999ms", "shorter than the minimum of 1 second")]
    [InlineData("@every 367d", "longer than the maximum of 366 days")]
    [InlineData("@every 366d1ms", "longer than the maximum of 366 days")]
    [InlineData("@every 00:00:01.0005", "not a whole number of milliseconds")]
    [InlineData("@every 5x", "'5x' is not a duration")]
    [InlineData("@every -5m", "'-5m' is not a duration")]
    [InlineData("@every 1.5h", "'1.5h' is not a duration")]
    [InlineData("@every", "expected '@every <duration>'")]
    [InlineData("@every 1h 30m", "expected '@every <duration>'")]
    public void Every_errors_name_the_problem(string text, string expected)
    {
        Assert.False(ScheduleParser.TryParse(text, Utc, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("@every 90s", "2026-01-01T00:00:00Z", "2026-01-01T00:01:30Z")]
    [InlineData("@every 90s", "2026-01-01T00:00:01Z", "2026-01-01T00:01:30Z")]
    [InlineData("@every 90s", "2026-01-01T00:01:29.999Z", "2026-01-01T00:01:30Z")]
    [InlineData("@every 7m", "2026-01-01T00:00:00Z", "2026-01-01T00:07:00Z")]
    [InlineData("@every 13s", "2026-01-01T00:00:00Z", "2026-01-01T00:00:03Z")] // 1767225600 = 13·135940430 + 10
    [InlineData("@every 25h", "2026-01-01T00:00:00Z", "2026-01-01T04:00:00Z")]
    [InlineData("@every 366d", "2026-01-01T00:00:00Z", "2026-02-12T00:00:00Z")]
    [InlineData("@every 1h", "1969-12-31T22:30:00Z", "1969-12-31T23:00:00Z")] // before the epoch
    [InlineData("@every 1h", "1969-12-31T23:00:00Z", "1970-01-01T00:00:00Z")]
    [InlineData("@every 1d", "2026-06-15T13:45:00Z", "2026-06-16T00:00:00Z")]
    public void Fire_times_are_multiples_of_the_interval_since_the_unix_epoch(string text, string after, string expected)
    {
        var schedule = ScheduleParser.Parse(text, Berlin); // the zone does not matter
        Assert.Equal(U(expected), schedule.NextAfter(U(after)));
    }

    [Fact]
    public void Every_node_computes_the_same_instants_whatever_the_reference()
    {
        var schedule = ScheduleParser.Parse("@every 7m", Utc);
        var a = schedule.Upcoming(U("2026-01-01T00:00:00Z"), 20);
        Assert.Equal(a, schedule.Upcoming(U("2026-01-01T00:03:17.123Z"), 20)); // a "restart" mid-interval
        Assert.Equal(a.Skip(1), schedule.Upcoming(U("2026-01-01T00:07:00Z"), 19)); // reference on a fire time
        var interval = TimeSpan.FromMinutes(7);
        Assert.All(a, t => Assert.Equal(0, (t - DateTimeOffset.UnixEpoch).Ticks % interval.Ticks));
        Assert.All(a, t => Assert.Equal(TimeSpan.Zero, t.Offset));
    }

    [Fact]
    public void Input_offset_does_not_change_the_instants()
    {
        var schedule = ScheduleParser.Parse("@every 1h", Utc);
        var next = schedule.NextAfter(new DateTimeOffset(2026, 1, 1, 5, 30, 0, TimeSpan.FromHours(5.5)));
        Assert.Equal(U("2026-01-01T01:00:00Z"), next);
        Assert.Equal(TimeSpan.Zero, next!.Value.Offset);
    }

    [Fact]
    public void Count_between_is_arithmetic_and_capped()
    {
        var schedule = ScheduleParser.Parse("@every 1s", Utc);
        // 10 years of seconds, computed without iterating.
        Assert.Equal(315_532_800, schedule.CountBetween(U("2026-01-01T00:00:00Z"), U("2036-01-01T00:00:00Z"), int.MaxValue));
        Assert.Equal(1000, schedule.CountBetween(U("2026-01-01T00:00:00Z"), U("2036-01-01T00:00:00Z"), 1000));
        // (after, until]: the exclusive start is not counted, the inclusive end is.
        Assert.Equal(10, schedule.CountBetween(U("2026-01-01T00:00:00Z"), U("2026-01-01T00:00:10Z"), 100));
        Assert.Equal(2, schedule.CountBetween(U("1969-12-31T23:59:59Z"), U("1970-01-01T00:00:01Z"), 100));
        Assert.Equal(0, schedule.CountBetween(U("2026-01-01T00:00:10Z"), U("2026-01-01T00:00:00Z"), 100));
    }

    [Fact]
    public void Count_between_agrees_with_between()
    {
        var schedule = ScheduleParser.Parse("@every 90s", Utc);
        var from = U("2026-01-01T00:00:17Z");
        var to = U("2026-01-01T03:00:00Z");
        Assert.Equal(schedule.Between(from, to, 10_000).Count, schedule.CountBetween(from, to, 10_000));
        Assert.Equal(120, schedule.CountBetween(from, to, 10_000));
    }

    [Fact]
    public void Next_after_near_the_end_of_time_is_null()
    {
        var schedule = ScheduleParser.Parse("@every 366d", Utc);
        Assert.Null(schedule.NextAfter(DateTimeOffset.MaxValue.AddDays(-1)));
    }

    [Fact]
    public void Non_positive_interval_is_rejected_by_the_record()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntervalSchedule("x", TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntervalSchedule("x", TimeSpan.FromSeconds(-1)));
    }
}
