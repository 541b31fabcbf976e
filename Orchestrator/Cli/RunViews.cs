using System.Text.Json;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>How a RunView and its attempts read in a table and in detail.</summary>
public static class RunViews
{
    private static readonly HashSet<string> EndStatuses = ["succeeded", "failed", "timed-out", "cancelled", "skipped", "interrupted"];

    public static bool HasEnded(JsonElement run) => run.Str("status") is { } s && EndStatuses.Contains(s);

    public static Table List(IEnumerable<JsonElement> runs, DateTimeOffset now)
    {
        var table = new Table().Col("RUN ID", keep: true).Col("STATUS").Col("STARTED").Col("TOOK", right: true).Col("TRIES", right: true).Col("ERROR");
        foreach (var run in runs)
        {
            var started = run.Time("startedUtc") ?? run.Time("scheduledUtc");
            table.Row(run.Str("runId"), run.Str("status"), started is { } s ? CliFormat.Short(s, now) : "-", Took(run),
                run.Num("attempts")?.ToString() ?? "-", run.Str("error") ?? run.Str("reason"));
        }
        return table;
    }

    public static string Took(JsonElement e) =>
        e.Time("startedUtc") is { } s && e.Time("finishedUtc") is { } f ? CliFormat.Span(f - s) : "-";

    public static Details Show(JsonElement run, DateTimeOffset now) =>
        new Details()
            .Add("Run", run.Str("runId"))
            .Add("Job", run.Str("jobId"))
            .Add("Status", run.Str("status"))
            .Add("Trigger", run.Str("trigger"))
            .Add("Cause", run.Str("cause"))
            .Add("Scheduled", run.Time("scheduledUtc") is { } sc ? CliFormat.LocalAndRelative(sc, now) : null)
            .Add("Started", run.Time("startedUtc") is { } st ? CliFormat.LocalAndRelative(st, now) : null)
            .Add("Finished", run.Time("finishedUtc") is { } fi ? CliFormat.LocalAndRelative(fi, now) : null)
            .Add("Took", Took(run) is var took && took != "-" ? took : null)
            .Add("Attempts", run.Str("attempts"))
            .Add("Items", run.Num("items") is > 1 and var items ? items.ToString() : null)
            .Add("Node", run.Str("node"))
            .Add("Reason", run.Str("reason"))
            .Add("Error", run.Str("error"))
            .Add("Output", run.Str("output"));

    public static Table Attempts(IEnumerable<JsonElement> attempts, DateTimeOffset now)
    {
        var table = new Table().Col("ITEM").Col("TRY", right: true).Col("NODE").Col("STARTED").Col("TOOK", right: true).Col("OUTCOME").Col("ERROR");
        foreach (var a in attempts)
            table.Row(a.Str("itemKey"), a.Str("attempt"), CliFormat.Node(a.Str("node")), a.Time("startedUtc") is { } s ? CliFormat.Short(s, now) : "-",
                Took(a), a.Str("outcome"), a.Str("errorKind") is { } kind ? $"{kind}: {a.Str("error")}" : a.Str("error"));
        return table;
    }

    /// <summary>A finished run: "run x succeeded in 1.2s (1 attempt)", then why it did not succeed, cut to the width.</summary>
    public static void WriteOutcome(TextWriter output, JsonElement run, int width)
    {
        var attempts = run.Num("attempts") ?? 0;
        var line = $"run {run.Str("runId")} {run.Str("status")}";
        if (Took(run) is var took && took != "-") line += $" in {took}";
        output.WriteLine($"{line} ({attempts} attempt{(attempts == 1 ? "" : "s")})");
        if ((run.Str("error") ?? (run.Str("status") == "succeeded" ? null : run.Str("reason"))) is { } why)
            output.WriteLine(Table.Cut($"  {Table.Clean(why)}", width));
    }
}
