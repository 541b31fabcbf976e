using System.Text.Json;
using System.Text.RegularExpressions;

namespace Akka.Jobs.Contracts.Jobs;

/// <summary>
/// Checks the parts of a definition that need no runtime knowledge. Schedule syntax and handler names
/// are checked by the scheduler, which knows the parsers and the registered handlers.
/// </summary>
public static partial class JobDefinitionValidator
{
    [GeneratedRegex("^[a-z0-9][a-z0-9\\-_.]{0,127}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9\\-_.]{0,63}$")]
    private static partial Regex HandlerPattern();

    /// <summary>True when <paramref name="id"/> is a well-formed job id.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Every structural problem of <paramref name="d"/>; empty when there is none.</summary>
    public static IReadOnlyList<ValidationError> Validate(JobDefinition d)
    {
        var errors = new List<ValidationError>();
        void Check(bool ok, string field, string message)
        {
            if (!ok) errors.Add(new ValidationError(field, message));
        }

        Check(IsValidId(d.Id), "id", $"'{d.Id}' is not a valid job id: use 1-128 characters of a-z, 0-9, '-', '_', '.', starting with a letter or digit");
        Check(!string.IsNullOrWhiteSpace(d.Schedule), "schedule", "is required");
        Check(TryFindTimeZone(d.TimeZone, out _), "timeZone", $"'{d.TimeZone}' is not a known IANA time zone");
        Check(d.Handler is not null && HandlerPattern().IsMatch(d.Handler), "handler", $"'{d.Handler}' is not a valid handler name");
        Check(d.Parameters.ValueKind == JsonValueKind.Object, "parameters", "must be a JSON object");
        Check(d.MaxCatchUp is >= 1 and <= 10_000, "maxCatchUp", $"must be between 1 and 10000, got {d.MaxCatchUp}");
        Check(d.Timeout > TimeSpan.Zero && d.Timeout <= TimeSpan.FromDays(7), "timeout", $"must be more than 0 and at most 7 days, got {d.Timeout}");
        Check(d.MaxParallel is >= 1 and <= 10_000, "maxParallel", $"must be between 1 and 10000, got {d.MaxParallel}");
        Check(d.AlertAfter >= 0, "alertAfter", $"must be 0 or more, got {d.AlertAfter}");
        Check(d.PauseAfter >= 0, "pauseAfter", $"must be 0 or more, got {d.PauseAfter}");
        Check(d.Entities.Count <= 1_000_000, "entities", "at most 1000000 entries");
        Check(d.Entities.All(e => !string.IsNullOrWhiteSpace(e) && !e.Contains('|')), "entities", "entries must be non-empty and must not contain '|'");
        Check(d.Entities.Distinct(StringComparer.Ordinal).Count() == d.Entities.Count, "entities", "entries must be unique");
        Check(d.Tags.All(t => !string.IsNullOrWhiteSpace(t)), "tags", "tags must be non-empty");

        var r = d.Retry;
        Check(r.MaxAttempts is >= 1 and <= 100, "retry.maxAttempts", $"must be between 1 and 100, got {r.MaxAttempts}");
        Check(r.InitialBackoff >= TimeSpan.Zero, "retry.initialBackoff", $"must not be negative, got {r.InitialBackoff}");
        Check(r.MaxBackoff >= r.InitialBackoff, "retry.maxBackoff", $"must be at least retry.initialBackoff ({r.InitialBackoff}), got {r.MaxBackoff}");
        Check(r.Multiplier is >= 1.0 and <= 100.0, "retry.multiplier", $"must be between 1 and 100, got {r.Multiplier}");
        Check(r.Jitter is >= 0.0 and <= 1.0, "retry.jitter", $"must be between 0 and 1, got {r.Jitter}");
        return errors;
    }

    /// <summary>Looks up an IANA (or Windows) time zone id without throwing.</summary>
    public static bool TryFindTimeZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id)) return false;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (TimeZoneNotFoundException)
        {
            return false;
        }
        catch (InvalidTimeZoneException)
        {
            return false;
        }
    }
}
