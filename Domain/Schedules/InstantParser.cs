using System.Globalization;

namespace Akka.Jobs.Domain.Schedules;

/// <summary>
/// ISO-8601 instants for "@at": <c>yyyy-MM-ddTHH:mm[:ss[.fffffff]]</c> followed by <c>Z</c> or <c>±hh:mm</c>.
/// Without an offset the wall-clock time is read in the job's zone; a time skipped by a spring-forward change
/// is rejected, and a time repeated by a fall-back change means its first occurrence (the earlier instant).
/// </summary>
internal static class InstantParser
{
    private static readonly string[] OffsetFormats =
    [
        "yyyy-MM-dd'T'HH:mmzzz",
        "yyyy-MM-dd'T'HH:mm:sszzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    private static readonly string[] UtcFormats =
    [
        "yyyy-MM-dd'T'HH:mm'Z'",
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
    ];

    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    public static bool TryParse(string text, TimeZoneInfo zone, out DateTimeOffset instant, out string? error)
    {
        error = null;
        var inv = CultureInfo.InvariantCulture;
        var upper = text.ToUpperInvariant(); // accept 't' and 'z'

        if (DateTimeOffset.TryParseExact(upper, UtcFormats, inv,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant) ||
            DateTimeOffset.TryParseExact(upper, OffsetFormats, inv, DateTimeStyles.None, out instant))
        {
            instant = instant.ToUniversalTime();
            return true;
        }

        if (DateTime.TryParseExact(upper, LocalFormats, inv, DateTimeStyles.None, out var local))
        {
            local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            if (zone.IsInvalidTime(local))
            {
                error = $"'{text}' does not exist in time zone {zone.Id} (skipped by a daylight-saving change); " +
                        "give an explicit offset or Z.";
                instant = default;
                return false;
            }

            var offset = zone.IsAmbiguousTime(local)
                ? zone.GetAmbiguousTimeOffsets(local).Max() // first occurrence = larger (daylight) offset
                : zone.GetUtcOffset(local);
            instant = new DateTimeOffset(local, offset).ToUniversalTime();
            return true;
        }

        instant = default;
        error = $"'{text}' is not an ISO-8601 instant; expected e.g. '2026-12-01T02:00:00Z', " +
                "'2026-12-01T03:00:00+01:00' or '2026-12-01T02:00' (read in the job's time zone).";
        return false;
    }
}
