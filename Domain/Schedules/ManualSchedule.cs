namespace Akka.Jobs.Domain.Schedules;

/// <summary>Never fires by itself; runs only when triggered explicitly.</summary>
public sealed record ManualSchedule() : Schedule("manual")
{
    public override DateTimeOffset? NextAfter(DateTimeOffset after) => null;

    public override int CountBetween(DateTimeOffset afterExclusive, DateTimeOffset untilInclusive, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return 0;
    }
}
