using System.CommandLine;
using System.Text.Json.Nodes;
using static Akka.Jobs.Orchestrator.Cli.CommandParts;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary><c>akka-jobs jobs …</c>: list, show, add, remove, pause, resume, trigger, runs, next.</summary>
public static class JobsCommands
{
    public static readonly string[] RunStatuses = ["queued", "running", "succeeded", "failed", "timed-out", "cancelled", "skipped", "interrupted"];

    public static Command Create(CliHost host) => new("jobs", "Job definitions: list, inspect, change, trigger")
    {
        List(host), Show(host), JobsAddCommand.Create(host), Remove(host), Pause(host), Resume(host), Trigger(host), Runs(host), Next(host),
    };

    private static Command List(CliHost host)
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's jobs", HelpName = "tenant" };
        var status = new Option<string?>("--status") { Description = "Only paused jobs, or failing ones", HelpName = "paused|failing" }
            .AcceptOnlyFromAmong("paused", "failing");
        var command = new Command("list", "List jobs: schedule, handler, state, next fire time") { tenant, status };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var query = new List<string>();
            if (parse.GetValue(tenant) is { } t) query.Add($"tenant={Uri.EscapeDataString(t)}");
            if (parse.GetValue(status) is { } s) query.Add($"status={s}");
            var jobs = await ctx.Api.GetAsync("api/jobs" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            if (ctx.Json)
            {
                ctx.PrintJson(jobs);
                return ExitCodes.Ok;
            }
            var table = JobViews.List(jobs.Items(), ctx.Now);
            if (table.Count == 0)
            {
                ctx.Out.WriteLine("No jobs.");
                return ExitCodes.Ok;
            }
            ctx.Write(table);
            ctx.Out.WriteLine($"{table.Count} job{(table.Count == 1 ? "" : "s")}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliHost host)
    {
        var id = Id("id", "Job id");
        var command = new Command("show", "Show one job's definition and state") { id };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var job = await ctx.Api.GetAsync($"api/jobs/{Segment(parse.GetValue(id)!)}", ct);
            if (ctx.Json) ctx.PrintJson(job);
            else ctx.Write(JobViews.Show(job, ctx.Now));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(CliHost host)
    {
        var id = Id("id", "Job id");
        var command = new Command("remove", "Delete a job (its run history stays with the old incarnation)") { id };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            await ctx.Api.SendAsync(HttpMethod.Delete, $"api/jobs/{Segment(jobId)}", null, ct);
            if (!ctx.Json) ctx.Out.WriteLine($"Removed job {jobId}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Pause(CliHost host)
    {
        var id = Id("id", "Job id");
        var until = InstantOrDuration("--until", "Resume by itself at this instant, or after this long (2h, 2026-12-01T08:00:00Z)", "instant|duration");
        var note = new Option<string?>("--note") { Description = "Why it is paused (shown with the job and on the times skipped while paused)", HelpName = "text" };
        var command = new Command("pause", "Pause a job: no scheduled runs until resumed") { id, until, note };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            JsonObject? body = null;
            if (parse.GetValue(until) is { } u) (body ??= [])["until"] = u;
            if (parse.GetValue(note) is { } n) (body ??= [])["note"] = n;
            var reply = await ctx.Api.PostAsync($"api/jobs/{Segment(jobId)}/pause", body, ct);
            if (ctx.Json) ctx.PrintJson(reply);
            else ctx.Out.WriteLine(reply.Time("pausedUntilUtc") is { } t
                ? $"Paused job {jobId} until {CliFormat.LocalAndRelative(t, ctx.Now)}."
                : $"Paused job {jobId}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Resume(CliHost host)
    {
        var id = Id("id", "Job id");
        var command = new Command("resume", "Resume a paused job") { id };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            var reply = await ctx.Api.PostAsync($"api/jobs/{Segment(jobId)}/resume", null, ct);
            if (ctx.Json) ctx.PrintJson(reply);
            else ctx.Out.WriteLine($"Resumed job {jobId}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Trigger(CliHost host)
    {
        var id = Id("id", "Job id");
        var wait = new Option<bool>("--wait") { Description = "Wait until the run ends; exit 0 when it succeeded, 1 otherwise" };
        var command = new Command("trigger", "Start a run now (a manual run)") { id, wait };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            var reply = await ctx.Api.PostAsync($"api/jobs/{Segment(jobId)}/trigger", null, ct);
            var runId = reply.Str("runId") ?? throw new CliFailure("the node's reply to trigger named no run");
            if (!parse.GetValue(wait))
            {
                if (ctx.Json) ctx.PrintJson(reply);
                else ctx.Out.WriteLine($"Triggered job {jobId}: run {runId}");
                return ExitCodes.Ok;
            }
            if (!ctx.Json) ctx.Out.WriteLine($"Triggered run {runId}, waiting for it to end…");
            return await RunWaiter.WaitAsync(ctx, runId, ct);
        });
        return command;
    }

    private static Command Runs(CliHost host)
    {
        var id = Id("id", "Job id");
        var status = new Option<string?>("--status") { Description = "Only runs with this status", HelpName = "status" }.AcceptOnlyFromAmong(RunStatuses);
        var limit = Positive("--limit", "How many runs, newest first (default 50, at most 500)", "-l");
        var command = new Command("runs", "A job's recent runs, newest first") { id, status, limit };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            var query = new List<string>();
            if (parse.GetValue(limit) is { } l) query.Add($"limit={l}");
            if (parse.GetValue(status) is { } s) query.Add($"status={s}");
            var runs = await ctx.Api.GetAsync($"api/jobs/{Segment(jobId)}/runs" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            if (ctx.Json)
            {
                ctx.PrintJson(runs);
                return ExitCodes.Ok;
            }
            var table = RunViews.List(runs.Items(), ctx.Now);
            if (table.Count == 0) ctx.Out.WriteLine($"No runs of job {jobId}{(parse.GetValue(status) is { } st ? $" with status {st}" : "")}.");
            else ctx.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Next(CliHost host)
    {
        var id = Id("id", "Job id");
        var count = Positive("--count", "How many fire times (default 10, at most 1000)", "-n");
        var command = new Command("next", "The job's next fire times") { id, count };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            var reply = await ctx.Api.GetAsync($"api/jobs/{Segment(jobId)}/next" + (parse.GetValue(count) is { } n ? $"?count={n}" : ""), ct);
            if (ctx.Json)
            {
                ctx.PrintJson(reply);
                return ExitCodes.Ok;
            }
            var table = new Table().Col("#", right: true).Col("LOCAL TIME", keep: true).Col("UTC", keep: true).Col("IN", right: true);
            var i = 0;
            foreach (var t in reply.Items("times").Select(e => e.GetDateTimeOffset()))
                table.Row((++i).ToString(), CliFormat.Local(t), t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                    CliFormat.Relative(t, ctx.Now));
            if (table.Count == 0) ctx.Out.WriteLine($"Job {jobId} has no upcoming fire times.");
            else ctx.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
