using Akka.Actor;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Akka.Jobs.Tests.Cluster;

/// <summary>
/// The fail-over timing of a shipped node keeps the relations its split-brain safety rests on
/// (README "Split brain and fail-over timing"), so no one value can be shortened alone.
/// </summary>
public sealed class ClusterTimingTests
{
    [Fact]
    public async Task Shipped_cluster_timing_keeps_the_split_brain_margins()
    {
        await using var node = await TestNode.StartAsync();
        var config = node.Services.GetRequiredService<ActorSystem>().Settings.Config;
        TimeSpan Get(string path) => config.GetTimeSpan("akka.cluster." + path);

        var heartbeat = Get("failure-detector.heartbeat-interval");
        var pause = Get("failure-detector.acceptable-heartbeat-pause");
        var reaper = Get("unreachable-nodes-reaper-interval");
        var stableAfter = Get("split-brain-resolver.stable-after");
        var removalMargin = Get("down-removal-margin");
        // How far apart two nodes may see the same failure: one heartbeat plus one reaper round.
        var spread = heartbeat + reaper;

        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.True(pause >= 4 * heartbeat, $"acceptable-heartbeat-pause {pause} must tolerate several lost heartbeats ({heartbeat})");
        Assert.True(stableAfter >= 2 * spread, $"stable-after {stableAfter} must exceed twice the detection spread {spread}");
        Assert.True(removalMargin >= 2 * spread, $"down-removal-margin {removalMargin} must exceed twice the detection spread {spread}");
        Assert.True(pause + stableAfter >= TimeSpan.FromSeconds(4), "a node must be silent for seconds before it is downed");
    }
}
