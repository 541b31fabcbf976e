using System.Globalization;

namespace Akka.Jobs.Tests.Scheduling;

internal static class TestTime
{
    public static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;
    public static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    public static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    public static readonly TimeZoneInfo Sydney = TimeZoneInfo.FindSystemTimeZoneById("Australia/Sydney");

    public static TimeZoneInfo Zone(string id) => id == "UTC" ? Utc : TimeZoneInfo.FindSystemTimeZoneById(id);

    /// <summary>Parses a fixed ISO-8601 instant; no offset means UTC.</summary>
    public static DateTimeOffset U(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
