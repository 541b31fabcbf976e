using System.Text.Json;

namespace Akka.Jobs.Contracts.Jobs;

/// <summary>What to do when a scheduled time comes while an earlier run of the same job is still going.</summary>
public enum OverlapPolicy
{
    /// <summary>Skip the new time, recorded with reason <c>overlap</c>.</summary>
    Forbid,
    /// <summary>Start the new run next to the old one.</summary>
    Allow,
    /// <summary>Cancel the running run (reason <c>replaced</c>) and start the new one.</summary>
    Replace,
    /// <summary>Keep one pending run that starts when the current one ends; further times are skipped.</summary>
    BufferOne,
}

/// <summary>What to do with scheduled times that are already late (the cluster was down or busy).</summary>
public enum MisfirePolicy
{
    /// <summary>Run the latest missed time once; the others are recorded as skipped (<c>misfire</c>).</summary>
    FireOnce,
    /// <summary>Run every missed time, up to <see cref="JobDefinition.MaxCatchUp"/> of the most recent.</summary>
    FireAll,
    /// <summary>Record every missed time as skipped and wait for the next one.</summary>
    Skip,
}

/// <summary>What a recovered job actor does with a run that was in flight when its node died.</summary>
public enum InterruptPolicy
{
    /// <summary>Dispatch the unfinished items again with the next attempt number.</summary>
    Resume,
    /// <summary>End the run with status <c>interrupted</c>.</summary>
    Fail,
}

/// <summary>Retry of failed attempts with exponential backoff and jitter.</summary>
public sealed record RetryPolicy
{
    /// <summary>Attempts in total, the first one included (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 3;
    /// <summary>Delay before the second attempt.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Upper bound of the delay between attempts.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Factor applied to the delay after each attempt.</summary>
    public double Multiplier { get; init; } = 2.0;
    /// <summary>Random extra delay as a fraction of the delay (0 = none, 0.2 = up to +20%).</summary>
    public double Jitter { get; init; } = 0.2;
    /// <summary>Error kinds (as reported by handlers, e.g. <c>http-4xx</c>) that end the item at once.</summary>
    public IReadOnlyList<string> NonRetryable { get; init; } = [];

    /// <summary>The delay before <paramref name="nextAttempt"/> (2 or more) without jitter.</summary>
    public TimeSpan BackoffBefore(int nextAttempt)
    {
        var exponent = Math.Max(0, nextAttempt - 2);
        var ms = InitialBackoff.TotalMilliseconds * Math.Pow(Multiplier, exponent);
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxBackoff.TotalMilliseconds));
    }
}

/// <summary>A job as users define it (README, "Defining jobs"). Validate with <see cref="JobDefinitionValidator"/>.</summary>
public sealed record JobDefinition
{
    /// <summary>Unique id, <c>[a-z0-9][a-z0-9-_.]{0,127}</c>.</summary>
    public required string Id { get; init; }
    /// <summary>Cron (5, 6 or 7 fields), an alias, <c>@every 90s</c>, <c>@at 2026-12-01T02:00:00Z</c> or <c>manual</c>.</summary>
    public required string Schedule { get; init; }
    /// <summary>IANA time zone the schedule is read in.</summary>
    public string TimeZone { get; init; } = "UTC";
    /// <summary>Handler name: <c>noop</c>, <c>shell</c>, <c>http</c> or a registered custom handler.</summary>
    public required string Handler { get; init; }
    /// <summary>Handler-specific settings as a JSON object.</summary>
    public JsonElement Parameters { get; init; } = JobParameters.Empty;
    /// <summary>Fan-out: one work item per entry; empty means a single item.</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];
    /// <summary>Overlap policy.</summary>
    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.Forbid;
    /// <summary>Misfire policy.</summary>
    public MisfirePolicy Misfire { get; init; } = MisfirePolicy.FireOnce;
    /// <summary>How many missed times <see cref="MisfirePolicy.FireAll"/> runs at most.</summary>
    public int MaxCatchUp { get; init; } = 100;
    /// <summary>Retry policy.</summary>
    public RetryPolicy Retry { get; init; } = new();
    /// <summary>Time a run may take, all attempts included, before it is cancelled as timed-out.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Fan-out items in flight per run.</summary>
    public int MaxParallel { get; init; } = 10;
    /// <summary>Consecutive failed runs before an alert is logged (0 = never).</summary>
    public int AlertAfter { get; init; }
    /// <summary>Consecutive failed runs before the job pauses itself (0 = never).</summary>
    public int PauseAfter { get; init; }
    /// <summary>What to do with a run that was in flight when its node died.</summary>
    public InterruptPolicy OnInterrupt { get; init; } = InterruptPolicy.Resume;
    /// <summary>Owner, for filtering and access scopes.</summary>
    public string? Tenant { get; init; }
    /// <summary>Free text for people.</summary>
    public string? Description { get; init; }
    /// <summary>Labels for filtering and display.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The work item keys of one run.</summary>
    public IReadOnlyList<string> ItemKeys() => Entities.Count == 0 ? [JobParameters.SingleItemKey] : Entities;
}

/// <summary>Helpers for the JSON parameters object.</summary>
public static class JobParameters
{
    /// <summary>The item key of a job without fan-out.</summary>
    public const string SingleItemKey = "main";

    /// <summary>An empty JSON object.</summary>
    public static JsonElement Empty { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>A string property, or null when absent or not a string.</summary>
    public static string? GetString(this JsonElement parameters, string name) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;
}
