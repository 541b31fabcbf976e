using System.Text.Json;
using Akka.Jobs.Domain.Schedules;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// Reads a job definition from its JSON form (the HTTP API body; HOCON definitions are converted to
/// the same form). Every problem is reported with the field it concerns; durations accept
/// <c>90s</c>, <c>5m</c>, <c>1h30m</c> or <c>hh:mm:ss</c>.
/// </summary>
public static class JobDefinitionJson
{
    private static readonly HashSet<string> KnownFields =
    [
        "id", "schedule", "timeZone", "handler", "parameters", "entities", "overlap", "misfire", "maxCatchUp", "retry",
        "timeout", "maxParallel", "alertAfter", "pauseAfter", "onInterrupt", "tenant", "description", "tags",
    ];

    private static readonly HashSet<string> KnownRetryFields = ["maxAttempts", "initialBackoff", "maxBackoff", "multiplier", "jitter", "nonRetryable"];

    /// <summary>The definition, or null with the errors. <paramref name="id"/> wins over an id in the body when they agree.</summary>
    public static (JobDefinition? Definition, IReadOnlyList<ValidationError> Errors) Read(string id, JsonElement json,
        int maxSerializedBytes = JobDefinitionLimits.DefaultMaxSerializedBytes)
    {
        var errors = new List<ValidationError>();
        if (json.ValueKind != JsonValueKind.Object)
            return (null, [new ValidationError("body", "must be a JSON object")]);

        foreach (var p in json.EnumerateObject())
            if (!KnownFields.Contains(p.Name))
                errors.Add(new ValidationError(p.Name, $"unknown field; known fields: {string.Join(", ", KnownFields)}"));

        var bodyId = Str(json, "id", errors);
        if (bodyId is not null && bodyId != id)
            errors.Add(new ValidationError("id", $"'{bodyId}' does not match the id in the path '{id}'"));

        var d = new JobDefinition
        {
            Id = id,
            Schedule = Str(json, "schedule", errors) ?? Missing("schedule", errors),
            Handler = Str(json, "handler", errors) ?? Missing("handler", errors),
        };
        if (Str(json, "timeZone", errors) is { } tz) d = d with { TimeZone = tz };
        if (json.TryGetProperty("parameters", out var parameters))
        {
            if (parameters.ValueKind == JsonValueKind.Object) d = d with { Parameters = parameters.Clone() };
            else errors.Add(new ValidationError("parameters", "must be a JSON object"));
        }
        if (StrList(json, "entities", errors) is { } entities) d = d with { Entities = entities };
        if (StrList(json, "tags", errors) is { } tags) d = d with { Tags = tags };
        if (Enum<OverlapPolicy>(json, "overlap", errors) is { } overlap) d = d with { Overlap = overlap };
        if (Enum<MisfirePolicy>(json, "misfire", errors) is { } misfire) d = d with { Misfire = misfire };
        if (Enum<InterruptPolicy>(json, "onInterrupt", errors) is { } onInterrupt) d = d with { OnInterrupt = onInterrupt };
        if (Int(json, "maxCatchUp", errors) is { } maxCatchUp) d = d with { MaxCatchUp = maxCatchUp };
        if (Int(json, "maxParallel", errors) is { } maxParallel) d = d with { MaxParallel = maxParallel };
        if (Int(json, "alertAfter", errors) is { } alertAfter) d = d with { AlertAfter = alertAfter };
        if (Int(json, "pauseAfter", errors) is { } pauseAfter) d = d with { PauseAfter = pauseAfter };
        if (Duration(json, "timeout", errors) is { } timeout) d = d with { Timeout = timeout };
        if (Str(json, "tenant", errors) is { } tenant) d = d with { Tenant = tenant };
        if (Str(json, "description", errors) is { } description) d = d with { Description = description };

        if (json.TryGetProperty("retry", out var retry))
        {
            if (retry.ValueKind != JsonValueKind.Object)
                errors.Add(new ValidationError("retry", "must be an object"));
            else
            {
                foreach (var p in retry.EnumerateObject())
                    if (!KnownRetryFields.Contains(p.Name))
                        errors.Add(new ValidationError($"retry.{p.Name}", $"unknown field; known fields: {string.Join(", ", KnownRetryFields)}"));
                var r = d.Retry;
                if (Int(retry, "maxAttempts", errors, "retry.") is { } maxAttempts) r = r with { MaxAttempts = maxAttempts };
                if (Duration(retry, "initialBackoff", errors, "retry.") is { } initial) r = r with { InitialBackoff = initial };
                if (Duration(retry, "maxBackoff", errors, "retry.") is { } max) r = r with { MaxBackoff = max };
                if (Double(retry, "multiplier", errors, "retry.") is { } multiplier) r = r with { Multiplier = multiplier };
                if (Double(retry, "jitter", errors, "retry.") is { } jitter) r = r with { Jitter = jitter };
                if (StrList(retry, "nonRetryable", errors, "retry.") is { } nonRetryable) r = r with { NonRetryable = nonRetryable };
                d = d with { Retry = r };
            }
        }

        errors.AddRange(JobDefinitionValidator.Validate(d, maxSerializedBytes).Where(e => !errors.Any(x => x.Field == e.Field)));
        return errors.Count == 0 ? (d, errors) : (null, errors);
    }

    private static string Missing(string field, List<ValidationError> errors)
    {
        // A present value of the wrong type was already reported; "is required" would contradict it.
        if (!errors.Any(e => e.Field == field)) errors.Add(new ValidationError(field, "is required"));
        return "";
    }

    private static string? Str(JsonElement o, string name, List<ValidationError> errors, string prefix = "")
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        errors.Add(new ValidationError(prefix + name, $"must be a string, got {v.ValueKind.ToString().ToLowerInvariant()}"));
        return null;
    }

    private static int? Int(JsonElement o, string name, List<ValidationError> errors, string prefix = "")
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
        if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), out i)) return i;
        errors.Add(new ValidationError(prefix + name, $"must be a whole number, got {v.GetRawText()}"));
        return null;
    }

    private static double? Double(JsonElement o, string name, List<ValidationError> errors, string prefix = "")
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
        if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var d)) return d;
        errors.Add(new ValidationError(prefix + name, $"must be a number, got {v.GetRawText()}"));
        return null;
    }

    private static TimeSpan? Duration(JsonElement o, string name, List<ValidationError> errors, string prefix = "")
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String && DurationParser.TryParse(v.GetString(), out var span)) return span;
        errors.Add(new ValidationError(prefix + name, $"must be a duration such as \"30s\", \"5m\", \"1h30m\" or \"00:05:00\", got {v.GetRawText()}"));
        return null;
    }

    private static IReadOnlyList<string>? StrList(JsonElement o, string name, List<ValidationError> errors, string prefix = "")
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            return v.EnumerateArray().Select(e => e.GetString()!).ToList();
        errors.Add(new ValidationError(prefix + name, "must be an array of strings"));
        return null;
    }

    private static T? Enum<T>(JsonElement o, string name, List<ValidationError> errors) where T : struct, System.Enum
    {
        var text = Str(o, name, errors);
        if (text is null) return null;
        var normalized = text.Replace("-", "").Replace("_", "");
        if (System.Enum.TryParse<T>(normalized, ignoreCase: true, out var value) && !int.TryParse(normalized, out _)) return value;
        var allowed = string.Join(", ", System.Enum.GetNames<T>().Select(Kebab));
        errors.Add(new ValidationError(name, $"'{text}' is not one of: {allowed}"));
        return null;
    }

    /// <summary>PascalCase → kebab-case, as enum values appear in JSON and HOCON.</summary>
    public static string Kebab(string pascal) => JsonNamingPolicy.KebabCaseLower.ConvertName(pascal);
}
