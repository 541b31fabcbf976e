using Akka.Jobs.Domain.Schedules;
using Xunit;
using static Akka.Jobs.Tests.Scheduling.TestTime;

namespace Akka.Jobs.Tests.Scheduling;

public class ScheduleParserTests
{
    [Theory]
    [InlineData("every_5_minutes", "0 */5 * * * ?")]
    [InlineData("every_15_minutes", "0 */15 * * * ?")]
    [InlineData("every_30_minutes", "0 */30 * * * ?")]
    [InlineData("hourly", "0 0 * * * ?")]
    [InlineData("daily", "0 0 0 * * ?")]
    [InlineData("weekly", "0 0 0 ? * SUN")]
    [InlineData("monthly", "0 0 0 1 * ?")]
    [InlineData("@hourly", "0 0 * * * ?")]
    [InlineData("@daily", "0 0 0 * * ?")]
    [InlineData("@midnight", "0 0 0 * * ?")]
    [InlineData("@weekly", "0 0 0 ? * SUN")]
    [InlineData("@monthly", "0 0 0 1 * ?")]
    [InlineData("@yearly", "0 0 0 1 1 ?")]
    [InlineData("@annually", "0 0 0 1 1 ?")]
    [InlineData("DAILY", "0 0 0 * * ?")]
    [InlineData("Every_5_Minutes", "0 */5 * * * ?")]
    [InlineData("@Hourly", "0 0 * * * ?")]
    [InlineData("  weekly  ", "0 0 0 ? * SUN")]
    public void Aliases_are_cron_schedules_in_the_jobs_zone(string text, string quartz)
    {
        var schedule = Assert.IsType<CronSchedule>(ScheduleParser.Parse(text, Berlin));
        Assert.Equal(quartz, schedule.QuartzExpression);
        Assert.Equal(Berlin, schedule.Zone);
        Assert.Equal(text.Trim(), schedule.Text);
    }

    [Theory]
    // 2026-01-01 is a Thursday; 2026-01-04 a Sunday.
    [InlineData("every_5_minutes", "2026-01-01T00:02:00Z", "2026-01-01T00:05:00Z")]
    [InlineData("every_15_minutes", "2026-01-01T00:02:00Z", "2026-01-01T00:15:00Z")]
    [InlineData("every_30_minutes", "2026-01-01T00:02:00Z", "2026-01-01T00:30:00Z")]
    [InlineData("hourly", "2026-01-01T00:02:00Z", "2026-01-01T01:00:00Z")]
    [InlineData("daily", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")]
    [InlineData("weekly", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z")]
    [InlineData("monthly", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")]
    [InlineData("@yearly", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    public void Aliases_fire_when_expected_in_utc(string text, string after, string expected)
    {
        var schedule = ScheduleParser.Parse(text, Utc);
        Assert.Equal(U(expected), schedule.NextAfter(U(after)));
    }

    [Fact]
    public void Daily_alias_is_midnight_in_the_jobs_zone()
    {
        var schedule = ScheduleParser.Parse("daily", Berlin);
        Assert.Equal(U("2026-01-01T23:00:00Z"), schedule.NextAfter(U("2026-01-01T00:00:00Z"))); // 00:00 CET
        Assert.Equal(U("2026-07-01T22:00:00Z"), schedule.NextAfter(U("2026-07-01T00:00:00Z"))); // 00:00 CEST
    }

    [Theory]
    [InlineData("manual")]
    [InlineData("MANUAL")]
    [InlineData(" Manual ")]
    public void Manual_never_fires(string text)
    {
        var schedule = Assert.IsType<ManualSchedule>(ScheduleParser.Parse(text, Utc));
        Assert.Equal("manual", schedule.Text);
        Assert.Null(schedule.NextAfter(U("2026-01-01T00:00:00Z")));
        Assert.Empty(schedule.Upcoming(U("2026-01-01T00:00:00Z"), 10));
        Assert.Empty(schedule.Between(U("2000-01-01T00:00:00Z"), U("2100-01-01T00:00:00Z"), 10));
        Assert.Equal(0, schedule.CountBetween(U("2000-01-01T00:00:00Z"), U("2100-01-01T00:00:00Z"), 10));
    }

    [Theory]
    [InlineData("0 0 12 * * ?")]
    [InlineData("0 15 10 ? * MON-FRI")]
    [InlineData("0 0 12 L * ?")]
    [InlineData("0 0 12 15W * ?")]
    [InlineData("0 0 12 ? * 6#3")]
    [InlineData("0 0 12 ? * 6L")]
    [InlineData("0 0 12 1 1 ? 2027")]
    [InlineData("*/10 * * * * ?")]
    public void Quartz_six_and_seven_field_expressions_are_used_as_is(string text)
    {
        var schedule = Assert.IsType<CronSchedule>(ScheduleParser.Parse(text, Utc));
        Assert.Equal(text, schedule.QuartzExpression);
        Assert.Equal(text, schedule.Text);
    }

    [Fact]
    public void Extra_whitespace_between_fields_is_normalised_in_the_quartz_form()
    {
        var schedule = Assert.IsType<CronSchedule>(ScheduleParser.Parse("  0  0 12 * *   ? ", Utc));
        Assert.Equal("0 0 12 * * ?", schedule.QuartzExpression);
        Assert.Equal("0  0 12 * *   ?", schedule.Text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_text_is_an_error_listing_the_accepted_forms(string? text)
    {
        Assert.False(ScheduleParser.TryParse(text, Utc, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Contains("is empty", error);
        Assert.Contains("Accepted forms", error);
        Assert.Contains("'@every 90s'", error);
        Assert.Contains("manual", error);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("every day at noon")]
    [InlineData("1 2 3 4 5 6 7 8")]
    [InlineData("0 0")]
    public void Garbage_is_an_error_quoting_the_text(string text)
    {
        Assert.False(ScheduleParser.TryParse(text, Utc, out _, out var error));
        Assert.Contains($"'{text}'", error);
        Assert.Contains("Accepted forms", error);
    }

    [Theory]
    [InlineData("@fortnightly")]
    [InlineData("@reboot")]
    public void Unknown_at_aliases_are_errors(string text)
    {
        Assert.False(ScheduleParser.TryParse(text, Utc, out _, out var error));
        Assert.StartsWith($"Unknown schedule '{text}'", error);
        Assert.Contains("Accepted forms", error);
    }

    [Theory]
    [InlineData("0 0 25 * * ?")]          // hour out of range
    [InlineData("0 0 12 ? * 9")]          // day-of-week out of range
    [InlineData("0 0 12 32 * ?")]         // day-of-month out of range
    [InlineData("a b c d e f")]
    public void Quartz_validation_errors_carry_quartzs_message(string text)
    {
        Assert.False(ScheduleParser.TryParse(text, Utc, out _, out var error));
        Assert.StartsWith($"Invalid cron expression '{text}': ", error);
        Assert.True(error!.Length > $"Invalid cron expression '{text}': ".Length);
    }

    [Fact]
    public void Quartz_form_with_both_day_fields_is_passed_to_quartz_as_is()
    {
        // Quartz.NET 4.7.3 itself accepts both day fields (a '*' defers to the other field; two restricted
        // fields are unioned as in crontab), so the 6/7-field form is not second-guessed.
        var schedule = ScheduleParser.Parse("0 0 12 * * MON", Utc);
        Assert.Equal(U("2026-01-05T12:00:00Z"), schedule.NextAfter(U("2026-01-01T00:00:00Z")));
    }

    [Fact]
    public void Parse_throws_FormatException_with_the_same_message()
    {
        Assert.False(ScheduleParser.TryParse("nonsense", Utc, out _, out var error));
        var ex = Assert.Throws<FormatException>(() => ScheduleParser.Parse("nonsense", Utc));
        Assert.Equal(error, ex.Message);
    }

    [Fact]
    public void Parse_returns_the_same_schedule_as_TryParse()
    {
        Assert.True(ScheduleParser.TryParse("@every 90s", Utc, out var schedule, out var error));
        Assert.Null(error);
        Assert.Equal(schedule, ScheduleParser.Parse("@every 90s", Utc));
    }

    [Fact]
    public void Schedules_are_value_equal()
    {
        Assert.Equal(ScheduleParser.Parse("0 9 * * 1-5", Berlin), ScheduleParser.Parse("0 9 * * 1-5", Berlin));
        Assert.NotEqual(ScheduleParser.Parse("0 9 * * 1-5", Berlin), ScheduleParser.Parse("0 9 * * 1-5", Utc));
        Assert.Equal(new ManualSchedule(), ScheduleParser.Parse("manual", Utc));
    }
}
