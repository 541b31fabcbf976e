using System.Globalization;
using Akka.Jobs.Domain.Schedules;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>How the CLI writes times and durations for a person: local time, with "2m ago" / "in 5m" beside it.</summary>
public static class CliFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>2026-11-29 10:15:03 in the viewer's zone.</summary>
    public static string Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, TimeZoneInfo.Local).ToString("yyyy-MM-dd HH:mm:ss", Invariant);

    /// <summary>2026-11-29 10:15:03 (2m ago).</summary>
    public static string LocalAndRelative(DateTimeOffset t, DateTimeOffset now) => $"{Local(t)} ({Relative(t, now)})";

    /// <summary>For a table cell: the time of day when it is within a day of now, else month-day and minutes.</summary>
    public static string Short(DateTimeOffset t, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(t, TimeZoneInfo.Local);
        if ((t - now).Duration() < TimeSpan.FromHours(20)) return local.ToString("HH:mm:ss", Invariant);
        return local.Year == TimeZoneInfo.ConvertTime(now, TimeZoneInfo.Local).Year
            ? local.ToString("MMM dd HH:mm", Invariant)
            : local.ToString("yyyy-MM-dd", Invariant);
    }

    /// <summary>For a table cell with room to spare: "16:29 (14s ago)", "Nov 28 09:00 (1d ago)".</summary>
    public static string ShortAndRelative(DateTimeOffset t, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(t, TimeZoneInfo.Local);
        var when = (t - now).Duration() < TimeSpan.FromHours(20) ? local.ToString("HH:mm", Invariant) : local.ToString("MMM dd HH:mm", Invariant);
        return $"{when} ({Relative(t, now)})";
    }

    /// <summary>akka.tcp://akka-jobs@10.0.0.5:4053 → 10.0.0.5:4053, for a column that names the node of a run.</summary>
    public static string Node(string? address) =>
        address is null ? "-" : address.IndexOf('@') is var at && at >= 0 ? address[(at + 1)..] : address;

    /// <summary>"2m ago", "in 5m", "now".</summary>
    public static string Relative(DateTimeOffset t, DateTimeOffset now)
    {
        var d = t - now;
        if (d.Duration() < TimeSpan.FromSeconds(1)) return "now";
        var text = Rough(d.Duration());
        return d < TimeSpan.Zero ? $"{text} ago" : $"in {text}";
    }

    /// <summary>A duration to about two units: 850ms, 12s, 3m05s, 1h02m, 2d03h.</summary>
    public static string Span(TimeSpan d)
    {
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        if (d < TimeSpan.FromSeconds(1)) return $"{(int)d.TotalMilliseconds}ms";
        if (d < TimeSpan.FromSeconds(10)) return d.TotalSeconds.ToString("0.0", Invariant) + "s";
        if (d < TimeSpan.FromMinutes(1)) return $"{(int)d.TotalSeconds}s";
        if (d < TimeSpan.FromHours(1)) return $"{d.Minutes}m{d.Seconds:00}s";
        if (d < TimeSpan.FromDays(1)) return $"{(int)d.TotalHours}h{d.Minutes:00}m";
        return $"{(int)d.TotalDays}d{d.Hours:00}h";
    }

    /// <summary>One unit, for "ago": 45s, 2m, 3h, 4d.</summary>
    private static string Rough(TimeSpan d) =>
        d < TimeSpan.FromMinutes(1) ? $"{(int)d.TotalSeconds}s"
        : d < TimeSpan.FromHours(1) ? $"{(int)d.TotalMinutes}m"
        : d < TimeSpan.FromDays(2) ? $"{(int)d.TotalHours}h"
        : $"{(int)d.TotalDays}d";

    /// <summary>Checks an "instant or duration" argument (2026-11-29T10:00:00Z, 1h30m) before it is sent.</summary>
    public static bool IsInstantOrDuration(string text) =>
        DurationParser.TryParse(text, out _)
        || DateTimeOffset.TryParse(text, Invariant, DateTimeStyles.AssumeUniversal, out _);
}
