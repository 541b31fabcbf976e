using System.Text.Json;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>
/// <c>--wait</c>: polls <c>GET /api/runs/{runId}</c> until the run ends, then prints the outcome; exit 0 when it
/// succeeded, 1 otherwise. A node without that endpoint (or not knowing the run yet) is asked for the job's recent runs.
/// </summary>
public static class RunWaiter
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(500);

    public static async Task<int> WaitAsync(CliContext ctx, string runId, CancellationToken ct)
    {
        while (true)
        {
            var (run, reply) = await FindAsync(ctx, runId, ct);
            if (run is { } r && RunViews.HasEnded(r))
            {
                if (ctx.Json) ctx.PrintJson(reply!.Value);
                else RunViews.WriteOutcome(ctx.Out, r, ctx.Width);
                return r.Str("status") == "succeeded" ? ExitCodes.Ok : ExitCodes.Failed;
            }
            await Task.Delay(PollEvery, ctx.Clock, ct);
        }
    }

    /// <summary>The run (and the reply it came in), or null while no node lists it yet.</summary>
    private static async Task<(JsonElement? Run, JsonElement? Reply)> FindAsync(CliContext ctx, string runId, CancellationToken ct)
    {
        if (await ctx.Api.FindAsync($"api/runs/{Uri.EscapeDataString(runId)}", ct) is { } reply && reply.Prop("run") is { } run)
            return (run, reply);
        var runs = await ctx.Api.GetAsync($"api/jobs/{Uri.EscapeDataString(JobIdOf(runId))}/runs?limit=100", ct);
        foreach (var r in runs.Items())
            if (r.Str("runId") == runId) return (r, r);
        return (null, null);
    }

    /// <summary>The job id of a run id: the part before '~' or '@' (<c>nightly~2@20261129T101500.000Z</c> → nightly).</summary>
    public static string JobIdOf(string runId) => Contracts.Runs.RunIds.JobIdOf(runId) ?? runId;
}
