using Akka.Jobs.Domain.Schedules;
using Quartz;
using Xunit;
using static Akka.Jobs.Tests.Scheduling.TestTime;

namespace Akka.Jobs.Tests.Scheduling;

public class StandardCronConversionTests
{
    [Theory]
    [InlineData("0 9 * * 1-5", "0 0 9 ? * 2-6")]
    [InlineData("*/15 * * * *", "0 */15 * * * ?")]
    [InlineData("0 0 * * 0", "0 0 0 ? * 1")]
    [InlineData("0 0 * * 7", "0 0 0 ? * 1")]
    [InlineData("0 12 * * 5L", "0 0 12 ? * 6L")]
    [InlineData("0 12 * * 1#2", "0 0 12 ? * 2#2")]
    [InlineData("0 12 * * 0#1", "0 0 12 ? * 1#1")]
    [InlineData("0 12 * * 7L", "0 0 12 ? * 1L")]
    [InlineData("0 0 * * 1,3", "0 0 0 ? * 2,4")]
    [InlineData("0 0 * * 0,6", "0 0 0 ? * 1,7")]
    [InlineData("0 0 * * */2", "0 0 0 ? * */2")]
    [InlineData("0 0 * * 1-5/2", "0 0 0 ? * 2-6/2")]
    [InlineData("0 0 * * 1-3,5", "0 0 0 ? * 2-4,6")]
    // Ranges reaching 7 (Sunday) are expanded, because Quartz's week ends on Saturday (7).
    [InlineData("0 0 * * 5-7", "0 0 0 ? * 6-7,1")]
    [InlineData("0 0 * * 6-7", "0 0 0 ? * 7,1")]
    [InlineData("0 0 * * 0-7", "0 0 0 ? * 1-7")]
    [InlineData("0 0 * * 7-7", "0 0 0 ? * 1")]
    [InlineData("0 0 * * 5-7/2", "0 0 0 ? * 1,6")]
    [InlineData("0 0 * * 1/2", "0 0 0 ? * 1,2,4,6")]
    [InlineData("0 0 * * 0-6", "0 0 0 ? * 1-7")]
    // Names pass through unchanged.
    [InlineData("0 0 * * MON-FRI", "0 0 0 ? * MON-FRI")]
    [InlineData("0 0 * * SUN", "0 0 0 ? * SUN")]
    [InlineData("0 0 * * mon,wed", "0 0 0 ? * mon,wed")]
    // Day-of-month restricted, day-of-week free.
    [InlineData("0 0 1 * *", "0 0 0 1 * ?")]
    [InlineData("30 4 1,15 * *", "0 30 4 1,15 * ?")]
    [InlineData("0 0 L * *", "0 0 0 L * ?")]
    [InlineData("0 0 15W * *", "0 0 0 15W * ?")]
    [InlineData("0 0 * * ?", "0 0 0 * * ?")]
    [InlineData("0 0 ? * 1", "0 0 0 ? * 2")]
    [InlineData("0 0 ? * ?", "0 0 0 * * ?")]
    [InlineData("* * * * *", "0 * * * * ?")]
    [InlineData("5 0 * 8 *", "0 5 0 * 8 ?")]
    public void Five_field_cron_is_converted_to_quartz(string text, string quartz)
    {
        var schedule = Assert.IsType<CronSchedule>(ScheduleParser.Parse(text, Utc));
        Assert.Equal(quartz, schedule.QuartzExpression);
        Assert.Equal(text, schedule.Text);
    }

    [Fact]
    public void Weekdays_at_nine_skip_the_weekend()
    {
        var schedule = ScheduleParser.Parse("0 9 * * 1-5", Utc);
        // Saturday 2026-01-03 → Monday 2026-01-05.
        var fires = schedule.Upcoming(U("2026-01-02T10:00:00Z"), 6);
        Assert.Equal(
        [
            U("2026-01-05T09:00:00Z"), U("2026-01-06T09:00:00Z"), U("2026-01-07T09:00:00Z"),
            U("2026-01-08T09:00:00Z"), U("2026-01-09T09:00:00Z"), U("2026-01-12T09:00:00Z"),
        ], fires);
    }

    [Theory]
    [InlineData("0 0 * * 0")]
    [InlineData("0 0 * * 7")]
    [InlineData("0 0 * * SUN")]
    public void Zero_seven_and_SUN_all_mean_Sunday(string text)
    {
        var schedule = ScheduleParser.Parse(text, Utc);
        Assert.Equal(U("2026-01-04T00:00:00Z"), schedule.NextAfter(U("2026-01-01T00:00:00Z")));
        Assert.Equal(U("2026-01-11T00:00:00Z"), schedule.NextAfter(U("2026-01-04T00:00:00Z")));
    }

    [Fact]
    public void Last_friday_and_second_monday_in_five_field_form()
    {
        Assert.Equal(U("2026-01-30T12:00:00Z"), ScheduleParser.Parse("0 12 * * 5L", Utc).NextAfter(U("2026-01-01T00:00:00Z")));
        Assert.Equal(U("2026-01-12T12:00:00Z"), ScheduleParser.Parse("0 12 * * 1#2", Utc).NextAfter(U("2026-01-01T00:00:00Z")));
    }

    [Fact]
    public void Friday_to_sunday_range_fires_on_friday_saturday_and_sunday()
    {
        var fires = ScheduleParser.Parse("0 0 * * 5-7", Utc).Upcoming(U("2026-01-01T00:00:00Z"), 4);
        // Fri 2, Sat 3, Sun 4, Fri 9.
        Assert.Equal([U("2026-01-02T00:00:00Z"), U("2026-01-03T00:00:00Z"), U("2026-01-04T00:00:00Z"), U("2026-01-09T00:00:00Z")], fires);
    }

    /// <summary>
    /// Cross-check: our conversion must fire at exactly the same instants as Quartz.NET's own crontab reader
    /// (<see cref="CronFormat.Unix"/>), for every day-of-week shape we convert.
    /// </summary>
    [Theory]
    [InlineData("0 9 * * 1-5")]
    [InlineData("*/15 * * * *")]
    [InlineData("0 0 * * 0")]
    [InlineData("0 0 * * 7")]
    [InlineData("0 12 * * 5L")]
    [InlineData("0 12 * * 1#2")]
    [InlineData("0 0 * * 1,3")]
    [InlineData("0 0 * * */2")]
    [InlineData("0 0 * * 1-5/2")]
    [InlineData("0 0 * * 5-7")]
    [InlineData("0 0 * * 0-7")]
    [InlineData("0 0 * * 5-7/2")]
    [InlineData("0 0 * * MON-FRI")]
    [InlineData("0 0 1 * *")]
    public void Conversion_agrees_with_quartzs_unix_format(string text)
    {
        var ours = ScheduleParser.Parse(text, Berlin).Upcoming(U("2026-01-01T00:00:00Z"), 60);
        var quartz = CronExpression.Parse(text, CronFormat.Unix).WithTimeZone(Berlin);
        var expected = new List<DateTimeOffset>();
        var cursor = U("2026-01-01T00:00:00Z");
        for (var i = 0; i < 60; i++)
        {
            cursor = quartz.GetNextValidTimeAfter(cursor)!.Value;
            expected.Add(cursor.ToUniversalTime());
        }
        Assert.Equal(expected, ours);
    }

    [Theory]
    [InlineData("0 0 1 * 1")]
    [InlineData("0 0 1-7 * MON")]
    [InlineData("0 0 15 * 5L")]
    public void Both_day_fields_restricted_is_rejected(string text)
    {
        Assert.False(ScheduleParser.TryParse(text, Utc, out _, out var error));
        Assert.Contains($"'{text}'", error);
        Assert.Contains("OR of day-of-month and day-of-week is not supported", error);
        Assert.Contains("Quartz expression", error);
    }

    [Theory]
    [InlineData("0 0 * * 8", "out of range 0-7")]
    [InlineData("0 0 * * 1-9", "out of range 0-7")]
    [InlineData("0 0 * * 9L", "out of range 0-7")]
    [InlineData("0 0 * * 8#1", "out of range 0-7")]
    [InlineData("0 0 * * 5-1", "descending")]
    [InlineData("0 0 * * 5-7/x", "invalid step")]
    public void Bad_day_of_week_values_are_rejected(string text, string expected)
    {
        Assert.False(ScheduleParser.TryParse(text, Utc, out _, out var error));
        Assert.StartsWith($"Invalid cron expression '{text}': ", error);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("0 24 * * *")]
    [InlineData("0 0 32 * *")]
    [InlineData("0 0 * 13 *")]
    [InlineData("x 0 * * *")]
    [InlineData("0 0 * * 1#9")]
    public void Other_invalid_fields_report_quartzs_message_and_the_converted_form(string text)
    {
        Assert.False(ScheduleParser.TryParse(text, Utc, out _, out var error));
        Assert.StartsWith($"Invalid cron expression '{text}' (as Quartz: '0 ", error);
    }
}
