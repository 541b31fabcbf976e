namespace Akka.Jobs.Domain.Schedules;

/// <summary>
/// When a job fires. Pure and clock-free: every method takes the reference instant as an argument,
/// and all returned instants are in UTC (offset 0).
/// </summary>
/// <param name="Text">The schedule text exactly as the user wrote it (trimmed).</param>
public abstract record Schedule(string Text)
{
    /// <summary>The first fire instant strictly after <paramref name="after"/> (UTC), or null if there is none.</summary>
    public abstract DateTimeOffset? NextAfter(DateTimeOffset after);

    /// <summary>Up to <paramref name="count"/> fire instants strictly after <paramref name="after"/>, ascending.</summary>
    public IReadOnlyList<DateTimeOffset> Upcoming(DateTimeOffset after, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new List<DateTimeOffset>(Math.Min(count, 1024));
        if (count == 0)
            return result;
        foreach (var fire in FireTimesAfter(after))
        {
            result.Add(fire);
            if (result.Count >= count)
                break;
        }
        return result;
    }

    /// <summary>
    /// Fire instants in (<paramref name="afterExclusive"/>, <paramref name="untilInclusive"/>], ascending,
    /// stopping after <paramref name="max"/> items.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> Between(DateTimeOffset afterExclusive, DateTimeOffset untilInclusive, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var result = new List<DateTimeOffset>();
        if (max == 0 || untilInclusive <= afterExclusive)
            return result;
        foreach (var fire in FireTimesAfter(afterExclusive))
        {
            if (fire > untilInclusive)
                break;
            result.Add(fire);
            if (result.Count >= max)
                break;
        }
        return result;
    }

    /// <summary>
    /// Number of fire instants in (<paramref name="afterExclusive"/>, <paramref name="untilInclusive"/>], capped at
    /// <paramref name="max"/>. Computed arithmetically where the schedule allows it, otherwise by iterating.
    /// </summary>
    public virtual int CountBetween(DateTimeOffset afterExclusive, DateTimeOffset untilInclusive, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0 || untilInclusive <= afterExclusive)
            return 0;
        var count = 0;
        foreach (var fire in FireTimesAfter(afterExclusive))
        {
            if (fire > untilInclusive)
                break;
            if (++count >= max)
                break;
        }
        return count;
    }

    /// <summary>
    /// The (possibly infinite) ascending sequence of fire instants strictly after <paramref name="after"/>.
    /// Overridden where a cheaper iteration than repeated <see cref="NextAfter"/> calls exists.
    /// </summary>
    protected virtual IEnumerable<DateTimeOffset> FireTimesAfter(DateTimeOffset after)
    {
        var current = NextAfter(after);
        while (current is { } fire)
        {
            yield return fire;
            current = NextAfter(fire);
        }
    }
}
