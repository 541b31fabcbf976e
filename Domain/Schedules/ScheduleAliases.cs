namespace Akka.Jobs.Domain.Schedules;

/// <summary>Named schedules (case-insensitive), all evaluated as Quartz cron in the job's zone.</summary>
internal static class ScheduleAliases
{
    public static readonly IReadOnlyDictionary<string, string> QuartzByName =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["every_5_minutes"] = "0 */5 * * * ?",
            ["every_15_minutes"] = "0 */15 * * * ?",
            ["every_30_minutes"] = "0 */30 * * * ?",
            ["hourly"] = "0 0 * * * ?",
            ["@hourly"] = "0 0 * * * ?",
            ["daily"] = "0 0 0 * * ?",
            ["@daily"] = "0 0 0 * * ?",
            ["@midnight"] = "0 0 0 * * ?",
            ["weekly"] = "0 0 0 ? * SUN",
            ["@weekly"] = "0 0 0 ? * SUN",
            ["monthly"] = "0 0 0 1 * ?",
            ["@monthly"] = "0 0 0 1 * ?",
            ["@yearly"] = "0 0 0 1 1 ?",
            ["@annually"] = "0 0 0 1 1 ?",
        };
}
