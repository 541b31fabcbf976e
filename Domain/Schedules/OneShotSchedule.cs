namespace Akka.Jobs.Domain.Schedules;

/// <summary>
/// Fires exactly once at <see cref="At"/> ("@at 2026-12-01T02:00:00Z"). Once <see cref="At"/> is not strictly after
/// the reference instant there are no more fire times.
/// </summary>
public sealed record OneShotSchedule(string Text, DateTimeOffset At) : Schedule(Text)
{
    public override DateTimeOffset? NextAfter(DateTimeOffset after) =>
        At > after ? At.ToUniversalTime() : null;
}
