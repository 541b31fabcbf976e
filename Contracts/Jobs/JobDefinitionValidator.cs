using System.Text.Json;
using System.Text.RegularExpressions;
using L = Akka.Jobs.Contracts.Jobs.JobDefinitionLimits;

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
    public static IReadOnlyList<ValidationError> Validate(JobDefinition d) => Validate(d, JobDefinitionLimits.DefaultMaxSerializedBytes);

    /// <summary>
    /// Every structural problem of <paramref name="d"/>, with a node's own bound of its serialized size (the size is
    /// only measured when nothing else is wrong: a field beyond its cap is the more useful message).
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(JobDefinition d, int maxSerializedBytes)
    {
        var errors = new List<ValidationError>();
        void Check(bool ok, string field, string message)
        {
            if (!ok) errors.Add(new ValidationError(field, message));
        }

        Check(IsValidId(d.Id), "id", $"'{Clip(d.Id)}' is not a valid job id: use 1-128 characters of a-z, 0-9, '-', '_', '.', starting with a letter or digit");
        Check(!string.IsNullOrWhiteSpace(d.Schedule), "schedule", "is required");
        Check(d.Schedule is null || d.Schedule.Length <= L.MaxSchedule, "schedule", $"is {d.Schedule?.Length} characters; at most {L.MaxSchedule}");
        Check(d.TimeZone is null || d.TimeZone.Length <= L.MaxTimeZone, "timeZone", $"is {d.TimeZone?.Length} characters; at most {L.MaxTimeZone}");
        if (d.TimeZone is null || d.TimeZone.Length <= L.MaxTimeZone)
            Check(TryFindTimeZone(d.TimeZone, out _), "timeZone", $"'{Clip(d.TimeZone)}' is not a known IANA time zone");
        Check(d.Handler is not null && HandlerPattern().IsMatch(d.Handler), "handler", $"'{Clip(d.Handler)}' is not a valid handler name");
        Check(d.Parameters.ValueKind == JsonValueKind.Object, "parameters", "must be a JSON object");
        if (d.Parameters.ValueKind == JsonValueKind.Object)
        {
            var size = System.Text.Encoding.UTF8.GetByteCount(d.Parameters.GetRawText());
            Check(size <= L.MaxParametersBytes, "parameters", $"is {size:N0} bytes; at most {L.MaxParametersBytes:N0}");
            Check(Depth(d.Parameters) <= L.MaxParametersDepth, "parameters", $"nests deeper than {L.MaxParametersDepth} levels");
        }
        Check(d.MaxCatchUp is >= 1 and <= 10_000, "maxCatchUp", $"must be between 1 and 10000, got {d.MaxCatchUp}");
        Check(d.Timeout > TimeSpan.Zero && d.Timeout <= TimeSpan.FromDays(7), "timeout", $"must be more than 0 and at most 7 days, got {d.Timeout}");
        // Kept at 10,000: the node's worker slots, not this number, bound the processes one node starts at once.
        Check(d.MaxParallel is >= 1 and <= 10_000, "maxParallel", $"must be between 1 and 10000, got {d.MaxParallel}");
        Check(d.AlertAfter is >= 0 and <= L.MaxFailureCount, "alertAfter", $"must be between 0 and {L.MaxFailureCount}, got {d.AlertAfter}");
        Check(d.PauseAfter is >= 0 and <= L.MaxFailureCount, "pauseAfter", $"must be between 0 and {L.MaxFailureCount}, got {d.PauseAfter}");
        Check(d.Entities.Count <= L.MaxEntities, "entities", $"has {d.Entities.Count:N0} entries; at most {L.MaxEntities:N0}");
        Check(d.Entities.All(e => !string.IsNullOrWhiteSpace(e) && !e.Contains('|')), "entities", "entries must be non-empty and must not contain '|'");
        Check(d.Entities.All(e => e is null || e.Length <= L.MaxEntityKey), "entities", $"entries must be at most {L.MaxEntityKey} characters");
        // An entity key becomes part of run item keys, log lines and handler environment variables.
        Check(d.Entities.All(e => e is null || !HasControl(e)), "entities", "entries must not contain control characters");
        Check(d.Entities.Distinct(StringComparer.Ordinal).Count() == d.Entities.Count, "entities", "entries must be unique");
        Check(d.Tags.All(t => !string.IsNullOrWhiteSpace(t)), "tags", "tags must be non-empty");
        Check(d.Tags.Count <= L.MaxTags, "tags", $"has {d.Tags.Count} tags; at most {L.MaxTags}");
        Check(d.Tags.All(t => t is null || (t.Length <= L.MaxTag && !HasControl(t))), "tags", $"tags must be at most {L.MaxTag} characters without control characters");
        Check(d.Tenant is null || (d.Tenant.Length <= L.MaxTenant && !HasControl(d.Tenant)), "tenant", $"must be at most {L.MaxTenant} characters without control characters");
        Check(d.Description is null || d.Description.Length <= L.MaxDescription, "description", $"is {d.Description?.Length:N0} characters; at most {L.MaxDescription:N0}");

        var r = d.Retry;
        Check(r.MaxAttempts is >= 1 and <= 100, "retry.maxAttempts", $"must be between 1 and 100, got {r.MaxAttempts}");
        Check(r.InitialBackoff >= TimeSpan.Zero && r.InitialBackoff <= L.MaxBackoff, "retry.initialBackoff", $"must not be negative nor more than 1 day, got {r.InitialBackoff}");
        Check(r.MaxBackoff >= r.InitialBackoff, "retry.maxBackoff", $"must be at least retry.initialBackoff ({r.InitialBackoff}), got {r.MaxBackoff}");
        Check(r.MaxBackoff <= L.MaxBackoff, "retry.maxBackoff", $"must be at most 1 day, got {r.MaxBackoff}");
        Check(r.Multiplier is >= 1.0 and <= 100.0, "retry.multiplier", $"must be between 1 and 100, got {r.Multiplier}");
        Check(r.Jitter is >= 0.0 and <= 1.0, "retry.jitter", $"must be between 0 and 1, got {r.Jitter}");
        Check(r.NonRetryable.Count <= L.MaxNonRetryable && r.NonRetryable.All(k => k is not null && k.Length <= L.MaxNonRetryableKind && !HasControl(k)),
            "retry.nonRetryable", $"at most {L.MaxNonRetryable} error kinds of at most {L.MaxNonRetryableKind} characters without control characters");
        if (errors.Count == 0 && SerializedSize(d) is var bytes && bytes > maxSerializedBytes)
            errors.Add(new ValidationError("definition",
                $"is {bytes:N0} bytes serialized; at most {maxSerializedBytes:N0} fit a cluster message (fewer or shorter entities, smaller parameters)"));
        return errors;
    }

    /// <summary>The definition's size as the cluster serializer writes it.</summary>
    public static int SerializedSize(JobDefinition d) => JsonSerializer.SerializeToUtf8Bytes(d, Serialization.JobsJson.Options).Length;

    private static bool HasControl(string s) => s.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') >= 0 || s.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') >= 0;

    private static string? Clip(string? s) => s is null || s.Length <= 100 ? s : s[..100] + "…";

    private static int Depth(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => 1 + e.EnumerateObject().Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonValueKind.Array => 1 + e.EnumerateArray().Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

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
