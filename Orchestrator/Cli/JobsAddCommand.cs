using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>
/// <c>jobs add -f file</c>: PUTs each definition of the file to <c>/api/jobs/{id}</c> and reports created, updated or
/// failed per job; exit 1 when any failed. A node that cannot be reached, or refuses the token, stops the rest.
/// </summary>
public static class JobsAddCommand
{
    public static Command Create(CliHost host)
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "JSON (one definition with \"id\", or an array) or HOCON (akka.jobs.definitions { id { … } } or top-level id { … })",
            Required = true,
            HelpName = "file",
        };
        var command = new Command("add", "Create or update jobs from a definition file") { file };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var definitions = DefinitionFile.Read(parse.GetValue(file)!);
            var results = new List<(string Id, string Outcome, string? Error)>();
            foreach (var (id, definition) in definitions)
            {
                try
                {
                    var (status, _) = await ctx.Api.SendAsync(HttpMethod.Put, $"api/jobs/{CommandParts.Segment(id)}", definition, ct);
                    results.Add((id, status == HttpStatusCode.Created ? "created" : "updated", null));
                }
                catch (CliFailure failure) when (!failure.StopsAll)
                {
                    results.Add((id, "failed", failure.Message));
                }
            }
            Report(ctx, results);
            return results.Any(r => r.Error is not null) ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static void Report(CliContext ctx, List<(string Id, string Outcome, string? Error)> results)
    {
        if (ctx.Json)
        {
            var array = new JsonArray(results.Select(r => (JsonNode)new JsonObject
            {
                ["jobId"] = r.Id,
                ["result"] = r.Outcome,
                ["error"] = r.Error,
            }).ToArray());
            ctx.PrintJson(JsonSerializer.SerializeToElement(array));
            return;
        }
        var table = new Table().Col("JOB", keep: true).Col("RESULT");
        foreach (var (id, result, _) in results) table.Row(id, result);
        ctx.Write(table);
        // Whole, on stderr: a validation message names the field at fault and should not be cut to a column.
        foreach (var (id, _, error) in results.Where(r => r.Error is not null))
            ctx.Err.WriteLine($"akka-jobs: {id}: {error}");
        var counts = string.Join(", ", new[] { "created", "updated", "failed" }
            .Select(k => (k, n: results.Count(r => r.Outcome == k))).Where(x => x.n > 0).Select(x => $"{x.n} {x.k}"));
        ctx.Out.WriteLine($"{results.Count} job{(results.Count == 1 ? "" : "s")}: {counts}");
    }
}
