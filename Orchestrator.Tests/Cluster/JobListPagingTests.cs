using System.Net;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Tests.Api;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Akka.Jobs.Tests.Cluster;

/// <summary>
/// The job list crosses the cluster in pages: a node that does not host the scheduler lists every job even when all of
/// them together are larger than one remoting frame (128,000 bytes), which Akka would drop without a word.
/// </summary>
public sealed class JobListPagingTests
{
    [Fact]
    public async Task A_node_away_from_the_scheduler_lists_more_jobs_than_one_cluster_message_holds()
    {
        await using var first = await TestNode.StartAsync(port: NodeProcess.FreePort());
        var seed = Akka.Cluster.Cluster.Get(first.Services.GetRequiredService<ActorSystem>()).SelfAddress.ToString();
        await using var second = await TestNode.StartAsync(db: first.Db, seeds: [seed]);
        var cluster = Akka.Cluster.Cluster.Get(first.Services.GetRequiredService<ActorSystem>());
        await Eventually.UntilAsync(() => Task.FromResult(cluster.State.Members.Count(m => m.Status == MemberStatus.Up) == 2),
            "both nodes up", TimeSpan.FromSeconds(60));

        // Six jobs of ~30 KB each: ~180 KB in all, and the scheduler lives on the first (oldest) node.
        var padding = new string('x', 30_000);
        for (var i = 0; i < 6; i++)
        {
            var json = JsonSerializer.Serialize(new { schedule = "manual", handler = "noop", parameters = new { padding } });
            Assert.Equal(HttpStatusCode.Created, (await second.Http.PutJob($"big-{i}", json)).Status);
        }

        var (status, list) = await second.Http.Get("/api/jobs");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"big-{i}"),
            list.EnumerateArray().Select(j => j.GetProperty("definition").Str("id")).Where(id => id.StartsWith("big-")));
    }

    [Fact]
    public void A_page_stops_at_its_limit_or_its_bytes_but_always_holds_one_item()
    {
        Assert.Equal("1,2 more", Page([1, 2, 3], limit: 2, budget: 100));
        Assert.Equal("1,2,3", Page([1, 2, 3], limit: 5, budget: 100));
        Assert.Equal("40,50 more", Page([40, 50, 60], limit: 5, budget: 100));
        Assert.Equal("500 more", Page([500, 1], limit: 5, budget: 100));
    }

    private static string Page(int[] sizes, int limit, int budget)
    {
        var (page, more) = Paging.Take(sizes, limit, budget, s => s);
        return string.Join(',', page) + (more ? " more" : "");
    }
}
