using Quartz;

namespace Akka.Jobs.Domain.Schedules;

/// <summary>
/// Parses schedule text. Accepted forms:
/// <list type="bullet">
/// <item><description>5-field standard cron <c>m h dom mon dow</c> (converted to Quartz, see <see cref="StandardCronConverter"/>).</description></item>
/// <item><description>6/7-field Quartz cron, seconds first (L, W, #, ? allowed), used as-is.</description></item>
/// <item><description>Aliases (case-insensitive): every_5_minutes, every_15_minutes, every_30_minutes, hourly, daily,
/// weekly (Sunday 00:00), monthly (1st 00:00), @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually.</description></item>
/// <item><description><c>@every &lt;duration&gt;</c> (1 s .. 366 d, whole milliseconds), see <see cref="IntervalSchedule"/>.</description></item>
/// <item><description><c>@at &lt;ISO-8601 instant&gt;</c>; without an offset the time is read in the job's zone.</description></item>
/// <item><description><c>manual</c>.</description></item>
/// </list>
/// </summary>
public static class ScheduleParser
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(366);

    private const string AcceptedForms =
        "Accepted forms: 5-field cron ('*/15 * * * *'), 6/7-field Quartz cron ('0 0 12 ? * MON-FRI'), " +
        "an alias (hourly, daily, weekly, monthly, every_5_minutes, every_15_minutes, every_30_minutes, " +
        "@hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually), '@every 90s', " +
        "'@at 2026-12-01T02:00:00Z' or 'manual'.";

    public static Schedule Parse(string text, TimeZoneInfo zone) =>
        TryParse(text, zone, out var schedule, out var error) ? schedule! : throw new FormatException(error);

    public static bool TryParse(string? text, TimeZoneInfo zone, out Schedule? schedule, out string? error)
    {
        ArgumentNullException.ThrowIfNull(zone);
        schedule = null;
        error = null;

        if (string.IsNullOrWhiteSpace(text))
            return Fail($"Schedule '{text}' is empty. {AcceptedForms}", out error);

        var trimmed = text.Trim();

        if (trimmed.Equals("manual", StringComparison.OrdinalIgnoreCase))
        {
            schedule = new ManualSchedule();
            return true;
        }

        if (ScheduleAliases.QuartzByName.TryGetValue(trimmed, out var aliasQuartz))
        {
            schedule = new CronSchedule(trimmed, aliasQuartz, zone);
            return true;
        }

        var fields = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        if (fields[0].Equals("@every", StringComparison.OrdinalIgnoreCase))
            return TryParseEvery(trimmed, fields, out schedule, out error);

        if (fields[0].Equals("@at", StringComparison.OrdinalIgnoreCase))
            return TryParseAt(trimmed, fields, zone, out schedule, out error);

        if (fields[0].StartsWith('@'))
            return Fail($"Unknown schedule '{trimmed}'. {AcceptedForms}", out error);

        switch (fields.Length)
        {
            case 5:
                if (!StandardCronConverter.TryConvert(fields, out var converted, out var convertError))
                    return Fail($"Invalid cron expression '{trimmed}': {convertError}", out error);
                return TryQuartz(trimmed, converted, zone, out schedule, out error);
            case 6:
            case 7:
                return TryQuartz(trimmed, string.Join(' ', fields), zone, out schedule, out error);
            default:
                return Fail($"Unrecognised schedule '{trimmed}'. {AcceptedForms}", out error);
        }
    }

    private static bool TryQuartz(string text, string quartz, TimeZoneInfo zone, out Schedule? schedule, out string? error)
    {
        schedule = null;
        try
        {
            _ = new CronExpression(quartz, zone);
        }
        catch (FormatException ex)
        {
            var converted = quartz == text ? "" : $" (as Quartz: '{quartz}')";
            return Fail($"Invalid cron expression '{text}'{converted}: {ex.Message}", out error);
        }

        error = null;
        schedule = new CronSchedule(text, quartz, zone);
        return true;
    }

    private static bool TryParseEvery(string text, string[] fields, out Schedule? schedule, out string? error)
    {
        schedule = null;
        if (fields.Length != 2)
            return Fail($"Invalid schedule '{text}': expected '@every <duration>', e.g. '@every 90s', '@every 1h30m'.", out error);

        if (!DurationParser.TryParse(fields[1], out var interval))
            return Fail($"Invalid schedule '{text}': '{fields[1]}' is not a duration; use e.g. 500ms, 90s, 5m, 1h30m, 2h, 1d or hh:mm:ss.", out error);
        if (interval < MinInterval)
            return Fail($"Invalid schedule '{text}': interval {interval} is shorter than the minimum of 1 second.", out error);
        if (interval > MaxInterval)
            return Fail($"Invalid schedule '{text}': interval {interval} is longer than the maximum of 366 days.", out error);
        if (interval.Ticks % TimeSpan.TicksPerMillisecond != 0)
            return Fail($"Invalid schedule '{text}': interval {interval} is not a whole number of milliseconds.", out error);

        error = null;
        schedule = new IntervalSchedule(text, interval);
        return true;
    }

    private static bool TryParseAt(string text, string[] fields, TimeZoneInfo zone, out Schedule? schedule, out string? error)
    {
        schedule = null;
        if (fields.Length != 2)
            return Fail($"Invalid schedule '{text}': expected '@at <ISO-8601 instant>', e.g. '@at 2026-12-01T02:00:00Z'.", out error);

        if (!InstantParser.TryParse(fields[1], zone, out var at, out var instantError))
            return Fail($"Invalid schedule '{text}': {instantError}", out error);

        error = null;
        schedule = new OneShotSchedule(text, at);
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
