using Quartz;

namespace Akka.Jobs.Domain.Schedules;

/// <summary>
/// A cron schedule evaluated by Quartz.NET's <see cref="CronExpression"/> in <see cref="Zone"/>.
/// </summary>
/// <param name="Text">What the user wrote: a 5-field standard cron, a 6/7-field Quartz cron or an alias.</param>
/// <param name="QuartzExpression">The 6/7-field Quartz expression actually evaluated (seconds first).</param>
/// <param name="Zone">The zone the wall-clock fields are interpreted in.</param>
/// <remarks>
/// <para>Daylight-saving behaviour is Quartz.NET 4.7.3's (<c>CronExpression.GetNextValidTimeAfter</c>), pinned by tests
/// in Europe/Berlin, America/New_York and Australia/Sydney:</para>
/// <list type="bullet">
/// <item><description><b>Spring forward — the wall-clock time does not exist.</b> The fire is not skipped and not
/// shifted by the gap length: it fires at the <i>end of the gap</i>, the instant the clocks jumped to. A daily
/// "0 30 2 * * ?" in Europe/Berlin on 2026-03-29 (02:00 CET → 03:00 CEST) fires at 03:00 CEST = 01:00Z, and a daily
/// 02:00 also fires at 03:00 CEST = 01:00Z, so a daily job still fires exactly once that day. Several skipped readings
/// (e.g. "*/15" at 02:00, 02:15, 02:30, 02:45) all collapse onto that one instant and fire once, followed by 03:15 as
/// usual.</description></item>
/// <item><description><b>Fall back — the wall-clock time occurs twice.</b> A daily time in the repeated hour fires once,
/// at its first occurrence (daylight time): "0 30 2 * * ?" in Europe/Berlin on 2026-10-25 fires at 02:30 CEST = 00:30Z
/// only, not again at 02:30 CET = 01:30Z. A schedule whose fields match every hour (e.g. "30 * * * *") fires at both
/// occurrences, since they are different hours of real time.</description></item>
/// </list>
/// </remarks>
public sealed record CronSchedule(string Text, string QuartzExpression, TimeZoneInfo Zone) : Schedule(Text)
{
    public override DateTimeOffset? NextAfter(DateTimeOffset after) =>
        CreateExpression().GetNextValidTimeAfter(after)?.ToUniversalTime();

    protected override IEnumerable<DateTimeOffset> FireTimesAfter(DateTimeOffset after)
    {
        // One parsed expression per enumeration instead of one per fire time.
        var expression = CreateExpression();
        var current = expression.GetNextValidTimeAfter(after);
        while (current is { } fire)
        {
            yield return fire.ToUniversalTime();
            current = expression.GetNextValidTimeAfter(fire);
        }
    }

    private CronExpression CreateExpression() => new(QuartzExpression, Zone);
}
