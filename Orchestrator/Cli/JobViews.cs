using System.Text.Json;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>How a JobView (the API's job reply) reads in a table and in detail.</summary>
public static class JobViews
{
    public static Table List(IEnumerable<JsonElement> jobs, DateTimeOffset now)
    {
        var list = jobs.ToList();
        var tenants = list.Any(j => j.Prop("definition")?.Str("tenant") is not null);
        var table = new Table().Col("ID", keep: true).Col("SCHEDULE").Col("HANDLER").Col("STATE").Col("NEXT FIRE");
        if (tenants) table.Col("TENANT");
        foreach (var job in list)
        {
            var d = job.Prop("definition") ?? default;
            var next = job.Time("nextFireUtc") is { } t ? CliFormat.ShortAndRelative(t, now) : "-";
            var cells = new List<string?> { d.Str("id"), d.Str("schedule"), d.Str("handler"), State(job, now), next };
            if (tenants) cells.Add(d.Str("tenant") ?? "-");
            table.Row([.. cells]);
        }
        return table;
    }

    /// <summary>active, paused, paused until 18:00 (in 2h).</summary>
    public static string State(JsonElement job, DateTimeOffset now)
    {
        if (!job.Flag("paused")) return "active";
        return job.Time("pausedUntilUtc") is { } until ? $"paused until {CliFormat.Short(until, now)}" : "paused";
    }

    public static Details Show(JsonElement job, DateTimeOffset now)
    {
        var d = job.Prop("definition") ?? default;
        var details = new Details()
            .Add("Id", d.Str("id"))
            .Add("Description", d.Str("description"))
            .Add("Tenant", d.Str("tenant"))
            .Add("Schedule", d.Str("timeZone") is { } zone && zone != "UTC" ? $"{d.Str("schedule")} ({zone})" : d.Str("schedule"))
            .Add("Handler", d.Str("handler"));
        if (d.Prop("parameters") is { ValueKind: JsonValueKind.Object } parameters)
            foreach (var p in parameters.EnumerateObject())
                details.Add($"  {p.Name}", JsonText.Text(p.Value));
        var entities = d.Items("entities").Select(JsonText.Text).ToList();
        if (entities.Count > 0) details.Add("Entities", $"{entities.Count}: {string.Join(", ", entities)}");
        details
            .Add("Overlap", d.Str("overlap"))
            .Add("Misfire", d.Str("misfire"))
            .Add("Retry", Retry(d.Prop("retry")))
            .Add("Timeout", d.Str("timeout"))
            .Add("Max parallel", d.Str("maxParallel"))
            .Add("Alert after", Failures(d.Num("alertAfter")))
            .Add("Pause after", Failures(d.Num("pauseAfter")))
            .Add("Tags", d.Str("tags"))
            .Add("State", State(job, now) + (job.Str("pausedReason") is { } reason ? $": {reason}" : ""))
            .Add("Paused until", job.Time("pausedUntilUtc") is { } until ? CliFormat.LocalAndRelative(until, now) : null)
            .Add("Next fire", job.Time("nextFireUtc") is { } next ? CliFormat.LocalAndRelative(next, now) : "-")
            .Add("Created", job.Time("createdUtc") is { } created ? CliFormat.LocalAndRelative(created, now) : null)
            .Add("Updated", job.Time("updatedUtc") is { } updated ? CliFormat.LocalAndRelative(updated, now) : null);
        return details;
    }

    /// <summary>0 turns the threshold off.</summary>
    private static string? Failures(long? n) => n switch
    {
        null => null,
        0 => "off",
        1 => "1 failed run",
        _ => $"{n} failed runs in a row",
    };

    /// <summary>"3 attempts, backoff 1s → 1m ×2, jitter".</summary>
    private static string? Retry(JsonElement? retry)
    {
        if (retry is not { } r) return null;
        var attempts = r.Num("maxAttempts");
        var text = attempts == 1 ? "no retry" : $"{attempts} attempts, backoff {r.Str("initialBackoff")} to {r.Str("maxBackoff")} x{r.Str("multiplier")}";
        if (attempts != 1 && r.Flag("jitter")) text += ", jitter";
        if (r.Items("nonRetryable").Any()) text += $", not retried: {string.Join(", ", r.Items("nonRetryable").Select(JsonText.Text))}";
        return text;
    }
}
