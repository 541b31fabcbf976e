using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Security;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// <c>GET /api/sharding/regions</c> and <c>GET /api/sharding/stats?region=job|worker</c>: where the shards of the job
/// and worker regions live and how many entities each holds, from the regions' own cluster-wide statistics.
/// </summary>
public static class ShardingApi
{
    /// <summary>How long the regions collect answers from every node; a node that does not answer in time is left out.</summary>
    private static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(5);

    private static readonly string[] RegionNames = ["job", "worker"];

    public static void MapShardingApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/sharding");
        api.MapGet("/regions", Regions).Allow(Role.Viewer);
        api.MapGet("/stats", Stats).Allow(Role.Viewer);
    }

    private static async Task<IResult> Regions(IRequiredActor<JobRegion> jobs, IRequiredActor<WorkerRegion> workers)
    {
        var (stats, error) = await CollectAsync(RegionNames, jobs, workers);
        return error ?? Results.Json(new
        {
            regions = stats!.Select(r => new
            {
                typeName = r.TypeName,
                nodes = Nodes(r.Stats).Select(n => new { address = n.Key.ToString(), shards = n.Value.Stats.Count }),
            }),
        }, ApiJson.Options);
    }

    private static async Task<IResult> Stats(string? region, IRequiredActor<JobRegion> jobs, IRequiredActor<WorkerRegion> workers)
    {
        if (region is not null && !RegionNames.Contains(region))
            return ApiErrors.BadRequest("region", $"'{ApiQuery.Clip(region)}' is not a region: use one of {string.Join(", ", RegionNames)}");
        var (stats, error) = await CollectAsync(region is null ? RegionNames : [region], jobs, workers);
        return error ?? Results.Json(new
        {
            regions = stats!.Select(r => new
            {
                typeName = r.TypeName,
                nodes = Nodes(r.Stats).Select(n => new
                {
                    address = n.Key.ToString(),
                    shards = n.Value.Stats.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new { shardId = s.Key, entities = s.Value }),
                    entities = n.Value.Stats.Values.Sum(),
                }),
                shards = r.Stats.Regions.Values.Sum(v => v.Stats.Count),
                entities = r.Stats.Regions.Values.Sum(v => v.Stats.Values.Sum()),
            }),
        }, ApiJson.Options);
    }

    private static IEnumerable<KeyValuePair<Address, ShardRegionStats>> Nodes(ClusterShardingStats stats) =>
        stats.Regions.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal);

    private static async Task<(List<(string TypeName, ClusterShardingStats Stats)>? Stats, IResult? Error)> CollectAsync(
        IEnumerable<string> names, IRequiredActor<JobRegion> jobs, IRequiredActor<WorkerRegion> workers)
    {
        var collected = new List<(string, ClusterShardingStats)>();
        foreach (var name in names)
        {
            var region = name == "job" ? jobs.ActorRef : workers.ActorRef;
            var (stats, error) = await Ask.Send<ClusterShardingStats, ClusterShardingStats>(region, new GetClusterShardingStats(StatsTimeout), s => s,
                $"the {name} shard region");
            if (error is not null) return (null, error);
            collected.Add((name, stats!));
        }
        return (collected, null);
    }
}
