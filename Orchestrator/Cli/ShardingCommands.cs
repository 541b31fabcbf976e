using System.CommandLine;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary><c>akka-jobs cluster-sharding …</c>: where the job and worker shards live, and how many entities each holds.</summary>
public static class ShardingCommands
{
    public static Command Create(CliHost host) => new("cluster-sharding", "Sharding: regions and their shards") { Regions(host), RegionStats(host) };

    private static Command Regions(CliHost host)
    {
        var command = new Command("regions", "Shard regions and how many shards each node hosts");
        host.SetAction(command, async (ctx, _, ct) =>
        {
            var reply = await ctx.Api.GetAsync("api/sharding/regions", ct);
            if (ctx.Json)
            {
                ctx.PrintJson(reply);
                return ExitCodes.Ok;
            }
            var table = new Table().Col("REGION").Col("NODE", keep: true, cutStart: true).Col("SHARDS", right: true);
            foreach (var region in reply.Items("regions"))
                foreach (var node in region.Items("nodes"))
                    table.Row(region.Str("typeName"), node.Str("address"), node.Str("shards"));
            if (table.Count == 0) ctx.Out.WriteLine("No shard regions.");
            else ctx.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RegionStats(CliHost host)
    {
        var region = new Option<string?>("--region", "-r") { Description = "Only this region", HelpName = "job|worker" }.AcceptOnlyFromAmong("job", "worker");
        var command = new Command("region-stats", "Shards and entities per node and region") { region };
        host.SetAction(command, async (ctx, parse, ct) =>
        {
            var reply = await ctx.Api.GetAsync("api/sharding/stats" + (parse.GetValue(region) is { } r ? $"?region={r}" : ""), ct);
            if (ctx.Json)
            {
                ctx.PrintJson(reply);
                return ExitCodes.Ok;
            }
            var table = new Table().Col("REGION").Col("NODE", keep: true, cutStart: true).Col("SHARDS", right: true).Col("ENTITIES", right: true);
            foreach (var reg in reply.Items("regions"))
            {
                foreach (var node in reg.Items("nodes"))
                    table.Row(reg.Str("typeName"), node.Str("address"), node.Items("shards").Count().ToString(), node.Str("entities"));
                table.Row(reg.Str("typeName"), "(total)", reg.Str("shards"), reg.Str("entities"));
            }
            if (table.Count == 0) ctx.Out.WriteLine("No shard regions.");
            else ctx.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
