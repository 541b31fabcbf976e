using System.CommandLine;
using System.Text.Json;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>
/// <c>cluster tail</c>: reads <c>GET /api/cluster/events</c> (server-sent events) and prints each membership change as
/// one line until Ctrl+C; with <c>--output json</c> each event's JSON on its own line.
/// </summary>
public static class ClusterTail
{
    public static Command Create(CliHost host)
    {
        var command = new Command("tail", "Print membership changes as they happen, until Ctrl+C");
        host.SetAction(command, async (ctx, _, ct) =>
        {
            using var response = await ctx.Api.OpenStreamAsync("api/cluster/events", ct);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream);
            if (!ctx.Json) ctx.Out.WriteLine("Membership changes as the node sees them (Ctrl+C to stop):");
            try
            {
                await foreach (var data in Events(reader, ct))
                    ctx.Out.WriteLine(ctx.Json ? JsonText.OneLine(data) : Line(data, ctx.Now));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
            catch (IOException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
            throw new CliFailure("the node closed the event stream");
        });
        return command;
    }

    /// <summary>The data of each <c>member</c> event; comments (keep-alives) and other events are skipped.</summary>
    public static async IAsyncEnumerable<JsonElement> Events(TextReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var name = "message";
        var data = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0 && name == "member" && TryParse(string.Join('\n', data)) is { } e) yield return e;
                name = "message";
                data.Clear();
            }
            else if (line.StartsWith(':')) { }
            else if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Add(line[5..].TrimStart());
        }
    }

    /// <summary>"10:15:03  member-up  akka.tcp://akka-jobs@10.0.0.5:4053  up".</summary>
    public static string Line(JsonElement e, DateTimeOffset now)
    {
        var at = e.Time("atUtc") is { } t ? CliFormat.Short(t, now) : CliFormat.Short(now, now);
        return $"{at}  {e.Str("type"),-15}  {e.Str("address")}{(e.Str("status") is { } s ? $"  {s}" : "")}";
    }

    private static JsonElement? TryParse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
