using System.Globalization;

namespace Akka.Jobs.Domain.Schedules;

/// <summary>
/// Parses durations for schedules ("@every 90s"), timeouts and backoff.
/// </summary>
/// <remarks>
/// Accepted forms:
/// <list type="bullet">
/// <item><description>Unit form: one or more <c>&lt;non-negative integer&gt;&lt;unit&gt;</c> components with no spaces,
/// units <c>d</c>, <c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c> (case-insensitive), each at most once and in that
/// (descending) order: <c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h30m</c>, <c>2h</c>, <c>1d</c>, <c>1m30s500ms</c>.</description></item>
/// <item><description>TimeSpan form containing a colon, invariant "c" format: <c>hh:mm:ss</c>, <c>d.hh:mm:ss</c>,
/// <c>hh:mm:ss.fff</c>.</description></item>
/// </list>
/// Negative values, fractions in the unit form, and values larger than <see cref="TimeSpan.MaxValue"/> are rejected.
/// Zero ("0s", "00:00:00") is accepted; callers enforce their own bounds.
/// </remarks>
public static class DurationParser
{
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("d", TimeSpan.TicksPerDay),
        ("h", TimeSpan.TicksPerHour),
        ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond),
        ("ms", TimeSpan.TicksPerMillisecond),
    ];

    /// <summary>
    /// The unit form people write, which <see cref="TryParse"/> reads back exactly: <c>1s</c>, <c>10m</c>, <c>1h30m</c>,
    /// <c>1d2h</c>, <c>1m30s500ms</c>; <c>0s</c> for zero. Sub-millisecond ticks are dropped.
    /// </summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero) return "-" + Format(value.Negate());
        var ticks = value.Ticks - value.Ticks % TimeSpan.TicksPerMillisecond;
        if (ticks == 0) return "0s";
        var text = new System.Text.StringBuilder();
        foreach (var (unit, size) in Units)
        {
            var n = ticks / size;
            if (n == 0) continue;
            text.Append(n.ToString(CultureInfo.InvariantCulture)).Append(unit);
            ticks -= n * size;
        }
        return text.ToString();
    }

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var s = text.Trim();

        if (s.Contains(':'))
        {
            if (!TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out var ts) || ts < TimeSpan.Zero)
                return false;
            value = ts;
            return true;
        }

        return TryParseUnits(s, out value);
    }

    private static bool TryParseUnits(string s, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        long totalTicks = 0;
        var lastUnitIndex = -1;
        var i = 0;
        while (i < s.Length)
        {
            var numberStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
                i++;
            if (i == numberStart)
                return false;
            var number = s.AsSpan(numberStart, i - numberStart);

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
                i++;
            var unit = s.Substring(unitStart, i - unitStart).ToLowerInvariant();
            var unitIndex = Array.FindIndex(Units, u => u.Unit == unit);
            if (unitIndex < 0 || unitIndex <= lastUnitIndex)
                return false; // unknown/missing unit, repeated unit, or units out of order
            lastUnitIndex = unitIndex;

            if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return false;
            try
            {
                totalTicks = checked(totalTicks + checked(n * Units[unitIndex].Ticks));
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks(totalTicks);
        return true;
    }
}
