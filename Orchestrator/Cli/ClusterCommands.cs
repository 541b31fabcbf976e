using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary><c>akka-jobs cluster …</c>: members, leader, leave/down/join, and a live tail of membership changes.</summary>
public static class ClusterCommands
{
    public static Command Create(CliHost host) => new("cluster", "Cluster membership: show, leader, leave, down, join, tail")
    {
        Show(host), Leader(host),
        AddressCommand(host, "leave", "Ask a member to leave the cluster gracefully (its shards and the scheduler move first)", "cluster/leave", "Leaving"),
        AddressCommand(host, "down", "Mark a member down (for a node that is gone and will not come back)", "cluster/down", "Downed"),
        DownUnreachable(host),
        AddressCommand(host, "join", "Make the node the CLI talks to join the cluster at this address", "cluster/join", "Joining"),
        ClusterTail.Create(host),
    };

    private static Command Show(CliHost host)
    {
        var command = new Command("show", "Members with roles, status, reachability; the leader and the scheduler's node");
        host.SetAction(command, async (ctx, _, ct) =>
        {
            var cluster = await ctx.Api.GetAsync("api/cluster", ct);
            if (ctx.Json)
            {
                ctx.PrintJson(cluster);
                return ExitCodes.Ok;
            }
            var table = new Table().Col("ADDRESS", keep: true, cutStart: true).Col("ROLES").Col("STATUS").Col("REACHABLE").Col("UP SINCE");
            foreach (var m in cluster.Items("members"))
            {
                var roles = string.Join(",", m.Items("roles").Select(JsonText.Text));
                // Relative only: the address column needs the room, and "up 3h" is what one looks for here.
                var up = m.Time("upSinceUtc") is { } t ? CliFormat.Relative(t, ctx.Now) : "-";
                table.Row(m.Str("address"), roles.Length == 0 ? "-" : roles, m.Str("status"), m.Flag("reachable") ? "yes" : "NO", up);
            }
            ctx.Write(table);
            ctx.Out.WriteLine($"Count: {table.Count} node{(table.Count == 1 ? "" : "s")}");
            ctx.Out.WriteLine($"Leader: {cluster.Str("leader") ?? "(none)"}");
            ctx.Out.WriteLine($"Scheduler: {cluster.Str("schedulerNode") ?? "(none)"}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Leader(CliHost host)
    {
        var command = new Command("leader", "The cluster leader's address");
        host.SetAction(command, async (ctx, _, ct) =>
        {
            var cluster = await ctx.Api.GetAsync("api/cluster", ct);
            if (ctx.Json) ctx.PrintJson(JsonSerializer.SerializeToElement(new { leader = cluster.Str("leader") }));
            else ctx.Out.WriteLine(cluster.Str("leader") ?? "(no leader)");
            return cluster.Str("leader") is null ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static Command AddressCommand(CliHost host, string name, string description, string path, string verb)
    {
        var address = new Argument<string>("address") { Description = "Member address, akka.tcp://akka-jobs@host:port" };
        address.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } a && !IsAddress(a))
                r.AddError($"'{a}' is not a member address such as akka.tcp://akka-jobs@10.0.0.5:4053");
        });
        var command = new Command(name, description) { address };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var reply = await ctx.Api.PostAsync($"api/{path}", new JsonObject { ["address"] = parse.GetValue(address) }, ct);
            if (ctx.Json) ctx.PrintJson(reply);
            else ctx.Out.WriteLine($"{verb} {reply.Str("address") ?? parse.GetValue(address)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command DownUnreachable(CliHost host)
    {
        var command = new Command("down-unreachable", "Mark every unreachable member down");
        host.SetAction(command, async (ctx, _, ct) =>
        {
            var reply = await ctx.Api.PostAsync("api/cluster/down-unreachable", null, ct);
            if (ctx.Json)
            {
                ctx.PrintJson(reply);
                return ExitCodes.Ok;
            }
            var downed = reply.Items("downed").Select(JsonText.Text).ToList();
            if (downed.Count == 0) ctx.Out.WriteLine("No unreachable members.");
            else foreach (var a in downed) ctx.Out.WriteLine($"Downed {a}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>akka.tcp://system@host:port (or akka://…).</summary>
    public static bool IsAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme.StartsWith("akka", StringComparison.Ordinal)
        && uri.UserInfo.Length > 0 && uri.Port > 0;
}
