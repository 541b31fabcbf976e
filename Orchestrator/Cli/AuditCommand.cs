using System.CommandLine;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary><c>akka-jobs audit</c>: who changed what, newest first.</summary>
public static class AuditCommand
{
    public static Command Create(CliHost host)
    {
        var since = CommandParts.InstantOrDuration("--since", "From this instant, or this long ago (1h, 7d, 2026-11-29T10:00:00Z)", "instant|duration");
        var limit = CommandParts.Positive("--limit", "How many entries (default 100, at most 1000)", "-l");
        var command = new Command("audit", "The audit log of changes: who, what, when, outcome") { since, limit };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var query = new List<string>();
            if (parse.GetValue(since) is { } s) query.Add($"since={Uri.EscapeDataString(s)}");
            if (parse.GetValue(limit) is { } l) query.Add($"limit={l}");
            var reply = await ctx.Api.GetAsync("api/audit" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            if (ctx.Json)
            {
                ctx.PrintJson(reply);
                return ExitCodes.Ok;
            }
            var table = new Table().Col("AT").Col("CALLER").Col("VIA").Col("ACTION").Col("TARGET").Col("OUTCOME");
            foreach (var e in reply.Items("entries"))
                table.Row(e.Time("atUtc") is { } t ? CliFormat.Short(t, ctx.Now) : "-", e.Str("caller"), e.Str("via"), e.Str("action"), e.Str("target"), e.Str("outcome"));
            if (table.Count == 0) ctx.Out.WriteLine("No audit entries.");
            else ctx.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
