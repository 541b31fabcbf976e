using System.CommandLine;
using static Akka.Jobs.Orchestrator.Cli.CommandParts;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary><c>akka-jobs runs …</c>: show a run with its attempts, cancel it, run it again.</summary>
public static class RunsCommands
{
    public static Command Create(CliHost host) => new("runs", "One run: inspect, cancel, run again") { Show(host), Cancel(host), Rerun(host) };

    private static Command Show(CliHost host)
    {
        var id = Id("run-id", "Run id, e.g. nightly@20261129T101500.000Z");
        var command = new Command("show", "Show a run and each attempt of each item") { id };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var reply = await ctx.Api.GetAsync($"api/runs/{Segment(parse.GetValue(id)!)}", ct);
            if (ctx.Json)
            {
                ctx.PrintJson(reply);
                return ExitCodes.Ok;
            }
            ctx.Write(RunViews.Show(reply.Prop("run") ?? default, ctx.Now));
            var attempts = RunViews.Attempts(reply.Items("attempts"), ctx.Now);
            if (attempts.Count > 0)
            {
                ctx.Out.WriteLine();
                ctx.Write(attempts);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Cancel(CliHost host)
    {
        var id = Id("run-id", "Run id");
        var command = new Command("cancel", "Cancel a queued or running run") { id };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var runId = parse.GetValue(id)!;
            var reply = await ctx.Api.PostAsync($"api/runs/{Segment(runId)}/cancel", null, ct);
            if (ctx.Json) ctx.PrintJson(reply);
            else ctx.Out.WriteLine($"Cancelling run {runId}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Rerun(CliHost host)
    {
        var id = Id("run-id", "Run id to run again");
        var wait = new Option<bool>("--wait") { Description = "Wait until the new run ends; exit 0 when it succeeded, 1 otherwise" };
        var command = new Command("rerun", "Start a new manual run of the run's job now; its cause names the run") { id, wait };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var runId = parse.GetValue(id)!;
            var reply = await ctx.Api.PostAsync($"api/runs/{Segment(runId)}/rerun", null, ct);
            var newRun = reply.Str("runId") ?? throw new CliFailure("the node's reply to rerun named no run");
            if (!parse.GetValue(wait))
            {
                if (ctx.Json) ctx.PrintJson(reply);
                else ctx.Out.WriteLine($"Started run {newRun} (rerun of {runId})");
                return ExitCodes.Ok;
            }
            if (!ctx.Json) ctx.Out.WriteLine($"Started run {newRun}, waiting for it to end…");
            return await RunWaiter.WaitAsync(ctx, newRun, ct);
        });
        return command;
    }
}
