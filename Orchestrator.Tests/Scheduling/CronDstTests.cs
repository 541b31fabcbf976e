using Akka.Jobs.Domain.Schedules;
using Xunit;
using static Akka.Jobs.Tests.Scheduling.TestTime;

namespace Akka.Jobs.Tests.Scheduling;

/// <summary>Pins Quartz.NET 4.7.3's daylight-saving behaviour as documented on <see cref="CronSchedule"/>.</summary>
public class CronDstTests
{
    private static IReadOnlyList<DateTimeOffset> Fires(string text, TimeZoneInfo zone, string after, string until) =>
        ScheduleParser.Parse(text, zone).Between(U(after), U(until), 1000);

    // ---- Europe/Berlin: spring forward 2026-03-29 02:00 CET → 03:00 CEST ----

    [Fact]
    public void Berlin_spring_forward_daily_0200_fires_at_0300_cest()
    {
        Assert.Equal(
        [
            U("2026-03-27T01:00:00Z"), U("2026-03-28T01:00:00Z"),
            U("2026-03-29T01:00:00Z"), // 02:00 does not exist → 03:00 CEST
            U("2026-03-30T00:00:00Z"), U("2026-03-31T00:00:00Z"),
        ], Fires("0 2 * * *", Berlin, "2026-03-26T12:00:00Z", "2026-03-31T00:00:00Z"));
    }

    [Fact]
    public void Berlin_spring_forward_nonexistent_0230_fires_at_the_end_of_the_gap()
    {
        Assert.Equal(
        [
            U("2026-03-28T01:30:00Z"),
            U("2026-03-29T01:00:00Z"), // 02:30 does not exist → 03:00 CEST (not 03:30, not skipped)
            U("2026-03-30T00:30:00Z"),
        ], Fires("0 30 2 * * ?", Berlin, "2026-03-28T00:00:00Z", "2026-03-30T12:00:00Z"));
    }

    [Fact]
    public void Berlin_spring_forward_readings_in_the_gap_collapse_onto_one_fire()
    {
        Assert.Equal(
        [
            U("2026-03-29T00:45:00Z"), // 01:45 CET
            U("2026-03-29T01:00:00Z"), // 02:00, 02:15, 02:30, 02:45 → 03:00 CEST once
            U("2026-03-29T01:15:00Z"), // 03:15 CEST
            U("2026-03-29T01:30:00Z"),
        ], Fires("*/15 * * * *", Berlin, "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"));
    }

    // ---- Europe/Berlin: fall back 2026-10-25 03:00 CEST → 02:00 CET ----

    [Fact]
    public void Berlin_fall_back_repeated_0230_fires_once_at_its_first_occurrence()
    {
        Assert.Equal(
        [
            U("2026-10-24T00:30:00Z"),
            U("2026-10-25T00:30:00Z"), // 02:30 CEST; not again at 02:30 CET (01:30Z)
            U("2026-10-26T01:30:00Z"),
        ], Fires("0 30 2 * * ?", Berlin, "2026-10-23T12:00:00Z", "2026-10-26T12:00:00Z"));
    }

    [Fact]
    public void Berlin_fall_back_daily_0200_fires_once()
    {
        Assert.Equal(
        [
            U("2026-10-24T00:00:00Z"), U("2026-10-25T00:00:00Z"), U("2026-10-26T01:00:00Z"),
        ], Fires("0 2 * * *", Berlin, "2026-10-23T12:00:00Z", "2026-10-26T12:00:00Z"));
    }

    [Fact]
    public void Berlin_fall_back_hourly_fires_in_both_occurrences_of_the_repeated_hour()
    {
        Assert.Equal(
        [
            U("2026-10-24T23:30:00Z"), // 01:30 CEST
            U("2026-10-25T00:30:00Z"), // 02:30 CEST
            U("2026-10-25T01:30:00Z"), // 02:30 CET
            U("2026-10-25T02:30:00Z"), // 03:30 CET
        ], Fires("30 * * * *", Berlin, "2026-10-24T23:00:00Z", "2026-10-25T03:00:00Z"));
    }

    // ---- America/New_York: spring 2026-03-08 02:00 EST → 03:00 EDT; fall 2026-11-01 02:00 EDT → 01:00 EST ----

    [Fact]
    public void NewYork_spring_forward_daily_0200()
    {
        Assert.Equal(
        [
            U("2026-03-07T07:00:00Z"),
            U("2026-03-08T07:00:00Z"), // 03:00 EDT
            U("2026-03-09T06:00:00Z"),
        ], Fires("0 2 * * *", NewYork, "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"));
    }

    [Fact]
    public void NewYork_spring_forward_0230_fires_at_0300_edt()
    {
        Assert.Equal(U("2026-03-08T07:00:00Z"), ScheduleParser.Parse("30 2 * * *", NewYork).NextAfter(U("2026-03-07T08:00:00Z")));
    }

    [Fact]
    public void NewYork_fall_back_repeated_0130_fires_once()
    {
        Assert.Equal(
        [
            U("2026-10-31T05:30:00Z"),
            U("2026-11-01T05:30:00Z"), // 01:30 EDT; not again at 01:30 EST (06:30Z)
            U("2026-11-02T06:30:00Z"),
        ], Fires("30 1 * * *", NewYork, "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"));
    }

    [Fact]
    public void NewYork_fall_back_daily_0200()
    {
        Assert.Equal(
        [
            U("2026-10-31T06:00:00Z"),
            U("2026-11-01T07:00:00Z"), // 02:00 EST (02:00 occurs once in New York)
            U("2026-11-02T07:00:00Z"),
        ], Fires("0 2 * * *", NewYork, "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"));
    }

    // ---- Australia/Sydney: fall back 2026-04-05 03:00 AEDT → 02:00 AEST; spring 2026-10-04 02:00 AEST → 03:00 AEDT ----

    [Fact]
    public void Sydney_fall_back_daily_0200_fires_once_at_the_first_occurrence()
    {
        Assert.Equal(
        [
            U("2026-04-03T15:00:00Z"),
            U("2026-04-04T15:00:00Z"), // 2026-04-05 02:00 AEDT
            U("2026-04-05T16:00:00Z"), // 2026-04-06 02:00 AEST
        ], Fires("0 2 * * *", Sydney, "2026-04-03T00:00:00Z", "2026-04-06T00:00:00Z"));
    }

    [Fact]
    public void Sydney_spring_forward_daily_0200_fires_at_0300_aedt()
    {
        Assert.Equal(
        [
            U("2026-10-02T16:00:00Z"),
            U("2026-10-03T16:00:00Z"), // 2026-10-04 03:00 AEDT
            U("2026-10-04T15:00:00Z"),
        ], Fires("0 2 * * *", Sydney, "2026-10-02T00:00:00Z", "2026-10-05T00:00:00Z"));
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-01T00:00:00Z", "2026-04-30T00:00:00Z")]
    [InlineData("Europe/Berlin", "2026-10-01T00:00:00Z", "2026-11-30T00:00:00Z")]
    [InlineData("America/New_York", "2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z")]
    [InlineData("America/New_York", "2026-10-15T00:00:00Z", "2026-11-15T00:00:00Z")]
    [InlineData("Australia/Sydney", "2026-03-20T00:00:00Z", "2026-04-20T00:00:00Z")]
    [InlineData("Australia/Sydney", "2026-09-20T00:00:00Z", "2026-10-20T00:00:00Z")]
    public void Daily_0200_fires_exactly_once_per_local_calendar_day(string zoneId, string from, string to)
    {
        var zone = Zone(zoneId);
        var fires = ScheduleParser.Parse("0 2 * * *", zone).Between(U(from), U(to), 1000);
        var localDays = fires.Select(f => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(f, zone).DateTime)).ToList();
        Assert.Equal(localDays.Count, localDays.Distinct().Count());
        var first = localDays[0];
        Assert.Equal(Enumerable.Range(0, localDays.Count).Select(first.AddDays), localDays);
        // Every fire is at 02:00 local, or 03:00 on the one spring-forward day where 02:00 does not exist.
        Assert.All(fires, f =>
        {
            var local = TimeZoneInfo.ConvertTime(f, zone);
            Assert.True(local.TimeOfDay == TimeSpan.FromHours(2) ||
                        (local.TimeOfDay == TimeSpan.FromHours(3) && zone.IsInvalidTime(local.DateTime.AddHours(-1))),
                $"{f:O} is {local:O} local");
        });
    }
}
