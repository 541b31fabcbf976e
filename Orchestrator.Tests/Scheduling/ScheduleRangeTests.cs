using Akka.Jobs.Domain.Schedules;
using Xunit;
using static Akka.Jobs.Tests.Scheduling.TestTime;

namespace Akka.Jobs.Tests.Scheduling;

public class ScheduleRangeTests
{
    private static readonly Schedule Hourly = ScheduleParser.Parse("hourly", Utc);

    [Fact]
    public void Upcoming_returns_count_fire_times_strictly_after()
    {
        Assert.Equal(
            [U("2026-01-01T01:00:00Z"), U("2026-01-01T02:00:00Z"), U("2026-01-01T03:00:00Z")],
            Hourly.Upcoming(U("2026-01-01T00:00:00Z"), 3));
        Assert.Empty(Hourly.Upcoming(U("2026-01-01T00:00:00Z"), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hourly.Upcoming(U("2026-01-01T00:00:00Z"), -1));
    }

    [Fact]
    public void Between_is_exclusive_at_the_start_and_inclusive_at_the_end()
    {
        Assert.Equal(
            [U("2026-01-01T01:00:00Z"), U("2026-01-01T02:00:00Z"), U("2026-01-01T03:00:00Z")],
            Hourly.Between(U("2026-01-01T00:00:00Z"), U("2026-01-01T03:00:00Z"), 100));
    }

    [Fact]
    public void Between_stops_at_max()
    {
        var fires = Hourly.Between(U("2026-01-01T00:00:00Z"), U("2126-01-01T00:00:00Z"), 5);
        Assert.Equal(5, fires.Count);
        Assert.Equal(U("2026-01-01T05:00:00Z"), fires[^1]);
        Assert.Empty(Hourly.Between(U("2026-01-01T00:00:00Z"), U("2026-01-02T00:00:00Z"), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hourly.Between(U("2026-01-01T00:00:00Z"), U("2026-01-02T00:00:00Z"), -1));
    }

    [Fact]
    public void Between_of_an_empty_or_reversed_range_is_empty()
    {
        Assert.Empty(Hourly.Between(U("2026-01-01T05:00:00Z"), U("2026-01-01T05:00:00Z"), 10));
        Assert.Empty(Hourly.Between(U("2026-01-01T05:00:00Z"), U("2026-01-01T01:00:00Z"), 10));
        Assert.Empty(Hourly.Between(U("2026-01-01T00:00:01Z"), U("2026-01-01T00:59:59Z"), 10));
        // The same ranges a step wider do hold a fire time.
        Assert.Equal([U("2026-01-01T05:00:00Z")], Hourly.Between(U("2026-01-01T04:59:59Z"), U("2026-01-01T05:00:00Z"), 10));
        Assert.Equal([U("2026-01-01T01:00:00Z")], Hourly.Between(U("2026-01-01T00:00:01Z"), U("2026-01-01T01:00:00Z"), 10));
    }

    [Fact]
    public void CountBetween_iterates_cron_and_caps_at_max()
    {
        Assert.Equal(24, Hourly.CountBetween(U("2026-01-01T00:00:00Z"), U("2026-01-02T00:00:00Z"), 1000));
        Assert.Equal(100, Hourly.CountBetween(U("2026-01-01T00:00:00Z"), U("2126-01-01T00:00:00Z"), 100));
        Assert.Equal(0, Hourly.CountBetween(U("2026-01-02T00:00:00Z"), U("2026-01-01T00:00:00Z"), 100));
        Assert.Equal(0, Hourly.CountBetween(U("2026-01-01T00:00:00Z"), U("2026-01-02T00:00:00Z"), 0));
    }

    [Fact]
    public void Upcoming_in_a_zone_across_a_dst_change()
    {
        var fires = ScheduleParser.Parse("0 9 * * *", Berlin).Upcoming(U("2026-03-27T12:00:00Z"), 3);
        Assert.Equal([U("2026-03-28T08:00:00Z"), U("2026-03-29T07:00:00Z"), U("2026-03-30T07:00:00Z")], fires);
    }
}
