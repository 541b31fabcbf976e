using Akka.Jobs.Domain.Schedules;
using Xunit;
using static Akka.Jobs.Tests.Scheduling.TestTime;

namespace Akka.Jobs.Tests.Scheduling;

public class OneShotScheduleTests
{
    [Theory]
    [InlineData("@at 2026-12-01T02:00:00Z", "2026-12-01T02:00:00Z")]
    [InlineData("@at 2026-12-01T02:00Z", "2026-12-01T02:00:00Z")]
    [InlineData("@at 2026-12-01T02:00:00.250Z", "2026-12-01T02:00:00.250Z")]
    [InlineData("@at 2026-12-01T03:00:00+01:00", "2026-12-01T02:00:00Z")]
    [InlineData("@at 2026-11-30T21:00:00-05:00", "2026-12-01T02:00:00Z")]
    [InlineData("@at 2026-12-01t02:00:00z", "2026-12-01T02:00:00Z")]
    [InlineData("@AT 2026-12-01T02:00:00Z", "2026-12-01T02:00:00Z")]
    public void At_with_an_explicit_offset(string text, string expected)
    {
        var schedule = Assert.IsType<OneShotSchedule>(ScheduleParser.Parse(text, NewYork));
        Assert.Equal(U(expected), schedule.At);
        Assert.Equal(TimeSpan.Zero, schedule.At.Offset);
    }

    [Theory]
    [InlineData("@at 2026-12-01T03:00:00", "Europe/Berlin", "2026-12-01T02:00:00Z")]      // CET
    [InlineData("@at 2026-07-01T03:00", "Europe/Berlin", "2026-07-01T01:00:00Z")]         // CEST
    [InlineData("@at 2026-12-01T03:00:00", "America/New_York", "2026-12-01T08:00:00Z")]
    [InlineData("@at 2026-12-01T03:00:00", "UTC", "2026-12-01T03:00:00Z")]
    // Ambiguous fall-back reading: the first occurrence (daylight time).
    [InlineData("@at 2026-10-25T02:30:00", "Europe/Berlin", "2026-10-25T00:30:00Z")]
    [InlineData("@at 2026-11-01T01:30:00", "America/New_York", "2026-11-01T05:30:00Z")]
    public void At_without_an_offset_is_read_in_the_jobs_zone(string text, string zoneId, string expected)
    {
        var schedule = Assert.IsType<OneShotSchedule>(ScheduleParser.Parse(text, Zone(zoneId)));
        Assert.Equal(U(expected), schedule.At);
    }

    [Fact]
    public void At_a_wall_clock_time_skipped_by_spring_forward_is_rejected()
    {
        Assert.False(ScheduleParser.TryParse("@at 2026-03-29T02:30:00", Berlin, out _, out var error));
        Assert.Contains("does not exist in time zone Europe/Berlin", error);
    }

    [Theory]
    [InlineData("@at tomorrow", "is not an ISO-8601 instant")]
    [InlineData("@at 2026-13-01T00:00:00Z", "is not an ISO-8601 instant")]
    [InlineData("@at 2026-12-01", "is not an ISO-8601 instant")]
    [InlineData("@at 01/12/2026 02:00", "expected '@at <ISO-8601 instant>'")]
    [InlineData("@at", "expected '@at <ISO-8601 instant>'")]
    public void At_errors(string text, string expected)
    {
        Assert.False(ScheduleParser.TryParse(text, Utc, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.StartsWith($"Invalid schedule '{text}'", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Future_one_shot_fires_once()
    {
        var schedule = ScheduleParser.Parse("@at 2026-12-01T02:00:00Z", Utc);
        Assert.Equal(U("2026-12-01T02:00:00Z"), schedule.NextAfter(U("2026-06-01T00:00:00Z")));
        Assert.Equal([U("2026-12-01T02:00:00Z")], schedule.Upcoming(U("2026-06-01T00:00:00Z"), 10));
        Assert.Equal(1, schedule.CountBetween(U("2026-06-01T00:00:00Z"), U("2027-01-01T00:00:00Z"), 10));
    }

    [Fact]
    public void Past_one_shot_never_fires()
    {
        var schedule = ScheduleParser.Parse("@at 2026-12-01T02:00:00Z", Utc);
        Assert.Equal(U("2026-12-01T02:00:00Z"), schedule.NextAfter(U("2026-12-01T01:59:59Z"))); // a moment before, it is next
        Assert.Null(schedule.NextAfter(U("2026-12-01T02:00:00Z"))); // strictly after: the instant itself is past
        Assert.Null(schedule.NextAfter(U("2027-01-01T00:00:00Z")));
        Assert.Empty(schedule.Upcoming(U("2027-01-01T00:00:00Z"), 10));
    }

    [Fact]
    public void Between_includes_the_instant_only_inside_the_half_open_range()
    {
        var schedule = ScheduleParser.Parse("@at 2026-12-01T02:00:00Z", Utc);
        Assert.Equal([U("2026-12-01T02:00:00Z")], schedule.Between(U("2026-12-01T01:00:00Z"), U("2026-12-01T02:00:00Z"), 10));
        Assert.Empty(schedule.Between(U("2026-12-01T02:00:00Z"), U("2026-12-01T03:00:00Z"), 10));
        Assert.Empty(schedule.Between(U("2026-12-01T00:00:00Z"), U("2026-12-01T01:59:59Z"), 10));
    }
}
