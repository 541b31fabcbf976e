using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Jobs.Tests.Api;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Akka.Jobs.Tests.Cluster;

/// <summary>
/// The cluster commands' input checks, the event stream's opening and the sharding endpoints on one node (SQLite).
/// Nothing here changes the node's membership: the node is shared by the class.
/// </summary>
public sealed class ClusterOperationsSingleNodeTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private HttpClient Http => fixture.Node.Http;

    private string Self => fixture.Node.Address;

    [Theory]
    [InlineData("/api/cluster/down")]
    [InlineData("/api/cluster/leave")]
    [InlineData("/api/cluster/join")]
    public async Task Malformed_address_is_a_400_naming_address(string path)
    {
        foreach (var bad in new[] { "not an address", "http://example.com/", "akka.tcp://akka-jobs@", "akka.tcp://akka-jobs@host:99999", "::" })
        {
            var (status, body) = await PostAsync(path, JsonSerializer.Serialize(new { address = bad }));
            Assert.True(status == HttpStatusCode.BadRequest, $"{path} {bad}: {(int)status} {body}");
            Assert.Equal("address", body.Str("field"));
        }
        var (numberStatus, numberBody) = await PostAsync(path, """{"address": 42}""");
        Assert.Equal(HttpStatusCode.BadRequest, numberStatus);
        Assert.Equal("address", numberBody.Str("field"));
        var (jsonStatus, jsonBody) = await PostAsync(path, """{"address": """);
        Assert.Equal(HttpStatusCode.BadRequest, jsonStatus);
        Assert.Equal("body", jsonBody.Str("field"));
    }

    [Theory]
    [InlineData("/api/cluster/down")]
    [InlineData("/api/cluster/join")]
    public async Task Missing_address_is_a_400_naming_address(string path)
    {
        var (status, body) = await PostAsync(path, null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("address", body.Str("field"));
        (status, body) = await PostAsync(path, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("address", body.Str("field"));
    }

    [Theory]
    [InlineData("/api/cluster/down")]
    [InlineData("/api/cluster/leave")]
    public async Task Address_no_member_has_is_a_404_and_is_audited(string path)
    {
        var stranger = "akka.tcp://akka-jobs@127.0.0.1:1";
        var (status, body) = await PostAsync(path, JsonSerializer.Serialize(new { address = stranger }));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("address", body.Str("field"));
        Assert.Contains(stranger, body.Str("error"));

        var action = path == "/api/cluster/down" ? "cluster.down" : "cluster.leave";
        var (_, audit) = await Http.Get("/api/audit?limit=1000");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e =>
            e.Str("action") == action && e.Str("target") == stranger && e.Str("outcome").StartsWith("not found (404)", StringComparison.Ordinal));
        // The node is still a member: nothing happened to it.
        var cluster = await Http.GetFromJsonAsync<JsonElement>("/api/cluster");
        Assert.Equal("up", Assert.Single(cluster.GetProperty("members").EnumerateArray()).Str("status"));
    }

    [Fact]
    public async Task Join_from_a_node_already_in_a_cluster_is_a_409_and_to_its_own_cluster_a_202()
    {
        var stranger = "akka.tcp://akka-jobs@127.0.0.1:1";
        var (status, body) = await PostAsync("/api/cluster/join", JsonSerializer.Serialize(new { address = stranger }));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("address", body.Str("field"));
        var (_, audit) = await Http.Get("/api/audit?limit=1000");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e =>
            e.Str("action") == "cluster.join" && e.Str("target") == stranger && e.Str("outcome").StartsWith("conflict (409)", StringComparison.Ordinal));

        (status, body) = await PostAsync("/api/cluster/join", JsonSerializer.Serialize(new { address = Self }));
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(Self, body.Str("address"));
        var cluster = await Http.GetFromJsonAsync<JsonElement>("/api/cluster");
        Assert.Equal("up", Assert.Single(cluster.GetProperty("members").EnumerateArray()).Str("status"));
    }

    [Fact]
    public async Task Down_unreachable_with_every_member_reachable_downs_nobody()
    {
        var (status, body) = await PostAsync("/api/cluster/down-unreachable", null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body.GetProperty("downed").EnumerateArray());
    }

    [Fact]
    public async Task Event_stream_opens_with_the_current_members()
    {
        await using var stream = await EventStreamReader.OpenAsync(Http.BaseAddress!);
        Assert.Equal("text/event-stream", stream.ContentType);
        await Eventually.UntilAsync(() => Task.FromResult(stream.Saw("member-up", Self)), "this node's member-up", Patience);
        var up = stream.Events.First(e => e.Str("type") == "member-up");
        Assert.Equal("up", up.Str("status"));
        Assert.True(up.TryGetProperty("atUtc", out _));
    }

    [Fact]
    public async Task Event_stream_sends_a_keep_alive_comment_after_15_quiet_seconds_and_ends_when_the_node_stops()
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var node = await TestNode.StartAsync(configureServices: s => s.AddSingleton<TimeProvider>(clock));
        EventStreamReader? stream = null;
        try
        {
            stream = await EventStreamReader.OpenAsync(node.Http.BaseAddress!);
            await Eventually.UntilAsync(() => Task.FromResult(stream.Saw("member-up", node.Address)), "this node's member-up", Patience);
            // Only the node's clock moves: 14 s of it bring no comment, the 15th second does.
            clock.Advance(TimeSpan.FromSeconds(14));
            Assert.Equal(0, stream.KeepAlives);
            await Eventually.UntilAsync(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                return Task.FromResult(stream.KeepAlives > 0);
            }, "a keep-alive comment", Patience);
        }
        finally
        {
            await node.DisposeAsync();
        }
        await Eventually.UntilAsync(() => Task.FromResult(stream.Ended), "the stream ended with the node", Patience);
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task Sharding_regions_and_stats_show_both_regions_and_the_entities_of_a_run()
    {
        var (put, putBody) = await Http.PutJob("sharding-a", """{"schedule":"manual","handler":"noop"}""");
        Assert.True(put is HttpStatusCode.Created or HttpStatusCode.OK, putBody.ToString());
        var runId = await Http.Trigger("sharding-a");
        Assert.Equal("succeeded", (await Http.WaitForRunEnd("sharding-a", runId)).Str("status"));

        var (status, regions) = await Http.Get("/api/sharding/regions");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["job", "worker"], regions.GetProperty("regions").EnumerateArray().Select(r => r.Str("typeName")).Order().ToArray());
        var jobNodes = regions.GetProperty("regions").EnumerateArray().Single(r => r.Str("typeName") == "job").GetProperty("nodes");
        var jobNode = Assert.Single(jobNodes.EnumerateArray());
        Assert.Equal(Self, jobNode.Str("address"));
        Assert.True(jobNode.GetProperty("shards").GetInt32() >= 1, regions.ToString());

        JsonElement stats = default;
        await Eventually.UntilAsync(async () =>
        {
            (status, stats) = await Http.Get("/api/sharding/stats?region=job");
            return status == HttpStatusCode.OK && stats.GetProperty("regions")[0].GetProperty("entities").GetInt32() >= 1;
        }, "the job actor counted", Patience);
        var job = Assert.Single(stats.GetProperty("regions").EnumerateArray());
        Assert.Equal("job", job.Str("typeName"));
        var node = Assert.Single(job.GetProperty("nodes").EnumerateArray());
        Assert.Equal(Self, node.Str("address"));
        var shards = node.GetProperty("shards").EnumerateArray().ToList();
        Assert.NotEmpty(shards);
        Assert.All(shards, s => Assert.False(string.IsNullOrEmpty(s.Str("shardId"))));
        Assert.Equal(shards.Sum(s => s.GetProperty("entities").GetInt32()), node.GetProperty("entities").GetInt32());
        Assert.Equal(shards.Count, job.GetProperty("shards").GetInt32());
        Assert.Equal(node.GetProperty("entities").GetInt32(), job.GetProperty("entities").GetInt32());

        (status, stats) = await Http.Get("/api/sharding/stats?region=worker");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("worker", Assert.Single(stats.GetProperty("regions").EnumerateArray()).Str("typeName"));

        (status, stats) = await Http.Get("/api/sharding/stats");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, stats.GetProperty("regions").GetArrayLength());
    }

    [Theory]
    [InlineData("scheduler")]
    [InlineData("JOB")]
    [InlineData("")]
    public async Task Unknown_sharding_region_is_a_400_naming_region(string region)
    {
        var (status, body) = await Http.Get($"/api/sharding/stats?region={Uri.EscapeDataString(region)}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("region", body.Str("field"));
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string? json)
    {
        using var response = await Http.PostAsync(path, json is null ? null : ApiTestSupport.JsonBody(json));
        return (response.StatusCode, await response.ReadJson());
    }
}
