using System.Globalization;

namespace Akka.Jobs.Domain.Schedules;

/// <summary>
/// Converts a 5-field standard cron expression (minute hour day-of-month month day-of-week) to Quartz's
/// 6-field form (seconds first, '?' in one day field, day-of-week 1-7 with 1 = Sunday).
/// </summary>
/// <remarks>
/// Day-of-week numbers 0-7 (0 and 7 = Sunday) become 1-7 (1 = Sunday) everywhere: single values, range ends,
/// list items, the value before <c>L</c> and before <c>#</c>. Step sizes and the <c>#</c> occurrence are not changed.
/// Names (MON, SUN, MON-FRI) pass through unchanged. A range ending in 7 (Sunday) cannot be shifted into one
/// Quartz range, so it is expanded: <c>5-7</c> → <c>6-7,1</c>, <c>0-7</c> → <c>1-7</c>, <c>5-7/2</c> → <c>6,1</c>
/// (the explicit set of days). A bare start-with-step <c>N/k</c> means <c>N-7/k</c>. Descending ranges such as
/// <c>5-1</c> are rejected.
/// </remarks>
internal static class StandardCronConverter
{
    public static bool TryConvert(string[] fields, out string quartz, out string? error)
    {
        quartz = string.Empty;
        error = null;
        var (minute, hour, dom, month, dow) = (fields[0], fields[1], fields[2], fields[3], fields[4]);

        if (dow is "*" or "?")
        {
            dow = "?";
            if (dom == "?")
                dom = "*";
        }
        else if (dom is "*" or "?")
        {
            dom = "?";
        }
        else
        {
            error = "both day-of-month and day-of-week are restricted; standard cron's OR of day-of-month and " +
                    "day-of-week is not supported. Restrict only one of them, or use a 6/7-field Quartz expression " +
                    "(with '?' in the other day field).";
            return false;
        }

        if (dow != "?")
        {
            if (!TryConvertDayOfWeek(dow, out dow, out error))
                return false;
        }

        quartz = $"0 {minute} {hour} {dom} {month} {dow}";
        return true;
    }

    private static bool TryConvertDayOfWeek(string field, out string converted, out string? error)
    {
        converted = string.Empty;
        error = null;
        var parts = new List<string>();
        foreach (var item in field.Split(','))
        {
            if (!TryConvertItem(item, out var part, out error))
                return false;
            parts.Add(part);
        }
        converted = string.Join(",", parts);
        return true;
    }

    private static bool TryConvertItem(string item, out string converted, out string? error)
    {
        converted = item;
        error = null;

        string? step = null;
        var range = item;
        var slash = item.IndexOf('/');
        if (slash >= 0)
        {
            range = item[..slash];
            step = item[(slash + 1)..];
        }

        if (range == "*")
            return true; // "*" and "*/k" select the same days in both numberings (0..7 step k vs 1..7 step k).

        var hash = range.IndexOf('#');
        if (hash >= 0)
        {
            if (!TryDay(range[..hash], item, out var day, out error))
                return false;
            converted = day + range[hash..] + (step is null ? "" : "/" + step);
            return true;
        }

        if (range.Length > 1 && char.ToUpperInvariant(range[^1]) == 'L')
        {
            if (!TryDay(range[..^1], item, out var day, out error))
                return false;
            converted = day + "L" + (step is null ? "" : "/" + step);
            return true;
        }

        var dash = range.IndexOf('-');
        string startText = dash >= 0 ? range[..dash] : range;
        string? endText = dash >= 0 ? range[(dash + 1)..] : null;

        var startIsNumber = int.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out var start);
        var endIsNumber = endText is not null && int.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out _);

        if (!startIsNumber || (endText is not null && !endIsNumber))
        {
            // Names (MON-FRI, SUN, L, ...) or a mix: convert whatever is numeric, pass the rest through.
            if (!TryDay(startText, item, out var s, out error))
                return false;
            var e = "";
            if (endText is not null)
            {
                if (!TryDay(endText, item, out e, out error))
                    return false;
                e = "-" + e;
            }
            converted = s + e + (step is null ? "" : "/" + step);
            return true;
        }

        if (!CheckDay(start, item, out error))
            return false;

        int end;
        if (endText is not null)
        {
            end = int.Parse(endText, NumberStyles.None, CultureInfo.InvariantCulture);
            if (!CheckDay(end, item, out error))
                return false;
            if (end < start)
            {
                error = $"day-of-week range '{item}' is descending; write it as two ranges (e.g. '5-6,0').";
                return false;
            }
        }
        else if (step is not null)
        {
            end = 7; // "N/k" = from N to the end of the range, every k.
        }
        else
        {
            converted = ToQuartz(start).ToString(CultureInfo.InvariantCulture);
            return true;
        }

        if (end < 7)
        {
            converted = $"{ToQuartz(start)}-{ToQuartz(end)}" + (step is null ? "" : "/" + step);
            return true;
        }

        // Range reaches 7 (Sunday again): expand into explicit Quartz days.
        var stride = 1;
        if (step is not null &&
            (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out stride) || stride < 1))
        {
            error = $"invalid step in day-of-week item '{item}'.";
            return false;
        }

        if (step is null)
        {
            // start..7: Quartz start+1..7 plus Sunday (1).
            converted = start == 0 || start == 7
                ? (start == 0 ? "1-7" : "1")
                : start == 6 ? "7,1" : $"{ToQuartz(start)}-7,1";
            return true;
        }

        var days = new SortedSet<int>();
        for (var d = start; d <= end; d += stride)
            days.Add(ToQuartz(d));
        converted = string.Join(",", days);
        return true;
    }

    private static int ToQuartz(int standardDay) => standardDay % 7 + 1;

    private static bool CheckDay(int day, string item, out string? error)
    {
        error = day is >= 0 and <= 7 ? null : $"day-of-week value {day} in '{item}' is out of range 0-7 (0 and 7 = Sunday).";
        return error is null;
    }

    private static bool TryDay(string text, string item, out string converted, out string? error)
    {
        error = null;
        converted = text;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var day))
            return true; // a name: passes through unchanged
        if (!CheckDay(day, item, out error))
            return false;
        converted = ToQuartz(day).ToString(CultureInfo.InvariantCulture);
        return true;
    }
}
