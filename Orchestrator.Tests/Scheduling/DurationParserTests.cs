using Akka.Jobs.Domain.Schedules;
using Xunit;

namespace Akka.Jobs.Tests.Scheduling;

public class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 500L)]
    [InlineData("10s", 10_000L)]
    [InlineData("90s", 90_000L)]
    [InlineData("5m", 300_000L)]
    [InlineData("1h30m", 5_400_000L)]
    [InlineData("2h", 7_200_000L)]
    [InlineData("1d", 86_400_000L)]
    [InlineData("1d2h3m4s5ms", 93_784_005L)]
    [InlineData("1m30s", 90_000L)]
    [InlineData("0s", 0L)]
    [InlineData("5M", 300_000L)]
    [InlineData("1H30M", 5_400_000L)]
    [InlineData(" 10s ", 10_000L)]
    [InlineData("120m", 7_200_000L)]
    [InlineData("01:30:00", 5_400_000L)]
    [InlineData("00:00:10", 10_000L)]
    [InlineData("1.02:00:00", 93_600_000L)]
    [InlineData("00:00:00.250", 250L)]
    public void Parses(string text, long milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("m")]
    [InlineData("ms")]
    [InlineData("1.5h")]
    [InlineData("-5m")]
    [InlineData("5m1h")]   // units out of order
    [InlineData("5m5m")]   // repeated unit
    [InlineData("1h 30m")] // inner whitespace
    [InlineData("1w")]
    [InlineData("-01:00:00")]
    [InlineData("25:00:00")]
    [InlineData("1:2:3:4")]
    [InlineData("99999999999999d")]
    [InlineData("99999999999999999999s")]
    public void Rejects(string? text)
    {
        Assert.False(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.Zero, value);
    }
}
