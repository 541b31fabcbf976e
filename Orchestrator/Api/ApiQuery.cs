using Akka.Jobs.Domain.Schedules;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>Query-string values are parsed here, not by binding, so a bad value gets the API's error shape naming it.</summary>
public static class ApiQuery
{
    /// <summary>
    /// A page size: absent → <paramref name="fallback"/>; above <paramref name="cap"/> → clamped to it (the reply says
    /// the limit used); not a whole number or below 1 → a 400 naming <c>limit</c>.
    /// </summary>
    public static bool TryLimit(string? text, int fallback, int cap, out int limit, out IResult? error, string name = "limit")
    {
        error = null;
        limit = fallback;
        if (text is null) return true;
        if (!long.TryParse(text, out var n) || n < 1)
        {
            error = ApiErrors.BadRequest(name, $"must be a whole number from 1 (at most {cap} are returned), got '{Clip(text)}'");
            return false;
        }
        limit = (int)Math.Min(n, cap);
        return true;
    }

    /// <summary>A whole number in [min, max]; absent → <paramref name="fallback"/>.</summary>
    public static bool TryRange(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (text is null) return true;
        return int.TryParse(text, out value) && value >= min && value <= max;
    }

    /// <summary>An ISO-8601 instant with offset (<c>2026-11-29T10:00:00Z</c>) or a duration back from now (<c>1h</c>, <c>7d</c>).</summary>
    public static bool TryInstantOrAgo(string text, TimeProvider clock, out DateTimeOffset at)
    {
        at = default;
        if (DurationParser.TryParse(text, out var ago) && !text.Contains(':'))
        {
            var now = clock.GetUtcNow();
            at = ago >= now - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : now - ago;
            return true;
        }
        return TryInstant(text, out at);
    }

    /// <summary>An ISO-8601 instant with offset or a duration ahead from now (<c>2h</c>, <c>1d</c>).</summary>
    public static bool TryInstantOrAhead(string text, TimeProvider clock, out DateTimeOffset at)
    {
        at = default;
        if (DurationParser.TryParse(text, out var ahead) && !text.Contains(':'))
        {
            var now = clock.GetUtcNow();
            if (ahead > DateTimeOffset.MaxValue - now) return false;
            at = now + ahead;
            return true;
        }
        return TryInstant(text, out at);
    }

    /// <summary>An ISO-8601 instant that states its offset (<c>Z</c> or <c>+01:00</c>): a local time would be ambiguous.</summary>
    public static bool TryInstant(string text, out DateTimeOffset at)
    {
        at = default;
        var t = text.Trim();
        var hasOffset = t.EndsWith('Z') || t.EndsWith('z') || System.Text.RegularExpressions.Regex.IsMatch(t, @"[+-]\d\d:?\d\d$");
        return hasOffset && t.Contains('T') && DateTimeOffset.TryParse(t, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out at);
    }

    /// <summary>Echoes at most 100 characters of a bad value.</summary>
    public static string Clip(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
