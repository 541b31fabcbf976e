namespace Akka.Jobs.Domain.Schedules;

/// <summary>
/// "@every 90s": fires at every whole multiple of <see cref="Interval"/> since the Unix epoch (1970-01-01T00:00:00Z),
/// so every node and every restart computes the same instants regardless of when the job was registered.
/// For example "@every 1h" fires on the hour in UTC and "@every 1d" at 00:00:00Z.
/// </summary>
public sealed record IntervalSchedule(string Text, TimeSpan Interval) : Schedule(Text)
{
    public TimeSpan Interval { get; init; } = Interval > TimeSpan.Zero
        ? Interval
        : throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "Interval must be positive.");

    private static readonly long EpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    public override DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        var index = FloorIndex(after) + 1;
        return FromIndex(index);
    }

    public override int CountBetween(DateTimeOffset afterExclusive, DateTimeOffset untilInclusive, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0 || untilInclusive <= afterExclusive)
            return 0;
        // Number of multiples k with after < epoch + k*I <= until  ==  floor(until) - floor(after).
        var count = FloorIndex(untilInclusive) - FloorIndex(afterExclusive);
        return (int)Math.Min(count, max);
    }

    /// <summary>Largest k with epoch + k*Interval &lt;= instant.</summary>
    private long FloorIndex(DateTimeOffset instant)
    {
        var delta = instant.UtcTicks - EpochTicks;
        var step = Interval.Ticks;
        var quotient = delta / step;
        if (delta % step != 0 && delta < 0)
            quotient--;
        return quotient;
    }

    private DateTimeOffset? FromIndex(long index)
    {
        // Guard against running off the end of DateTimeOffset's range.
        var step = Interval.Ticks;
        var maxIndex = (DateTimeOffset.MaxValue.UtcTicks - EpochTicks) / step;
        if (index > maxIndex)
            return null;
        return new DateTimeOffset(EpochTicks + index * step, TimeSpan.Zero);
    }
}
