using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Tests.Api;
using Akka.Jobs.Tests.Infrastructure;
using Akka.Jobs.Tests.CliTests;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Cluster;

/// <summary>
/// The operator's cluster commands on three nodes in one process sharing one PostgreSQL database (run through
/// ./test.sh), with bearer tokens configured: membership listing, the event stream seeing a crashed node go
/// unreachable and removed, <c>down</c> and <c>down-unreachable</c>, and the refusals. The split-brain resolver waits
/// long here, so a crashed node stays unreachable until the test downs it.
/// </summary>
public sealed class ClusterOperationsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string OperatorToken = "operator-token-0123456789";
    private const string ViewerToken = "viewer-token-0123456789";
    private const string TenantOperatorToken = "tenant-operator-token-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly ApiTokens Tokens = new(
    [
        new ApiToken("ops", Role.Operator, ApiToken.Hash(OperatorToken)),
        new ApiToken("watcher", Role.Viewer, ApiToken.Hash(ViewerToken)),
        new ApiToken("team-a", Role.Operator, ApiToken.Hash(TenantOperatorToken), new HashSet<string> { "a" }),
    ]);

    private readonly List<TestNode> _nodes = [];

    public async Task InitializeAsync()
    {
        var db = TestDatabases.NewPostgresDatabase();
        var ports = Enumerable.Range(0, 3).Select(_ => NodeProcess.FreePort()).ToList();
        var seeds = ports.Select(p => $"akka.tcp://akka-jobs@127.0.0.1:{p}").ToList();
        foreach (var port in ports)
        {
            var node = await TestNode.StartAsync(db, port: port, seeds: seeds, tokens: Tokens,
                akkaHocon: "akka.cluster.split-brain-resolver.stable-after = 300s");
            node.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
            _nodes.Add(node);
        }
        // Every node must see the others up: gossip reaches them one after another.
        foreach (var node in _nodes) await UntilAsync(async () => UpMembers(await ClusterAsync(node)) == 3, "3 members up");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }

    [Fact]
    public async Task Lists_three_members_up_with_the_scheduler_node_and_refuses_bad_or_unauthorised_commands()
    {
        var cluster = await ClusterAsync(_nodes[1]);
        Assert.Equal(_nodes[1].Address, cluster.Str("self"));
        var members = cluster.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(_nodes.Select(n => n.Address).Order(), members.Select(m => m.Str("address")).Order());
        Assert.All(members, m => Assert.Equal("up", m.Str("status")));
        Assert.All(members, m => Assert.True(m.GetProperty("reachable").GetBoolean()));
        await UntilAsync(async () => (await ClusterAsync(_nodes[1])).GetProperty("schedulerNode").GetString() is { } s
            && _nodes.Any(n => n.Address == s), "scheduler node named");
        Assert.Contains(cluster.Str("leader"), _nodes.Select(n => n.Address));

        var http = _nodes[0].Http;
        var target = _nodes[2].Address;
        var (status, body) = await PostAsync(http, "/api/cluster/down", """{"address":"akka.tcp://akka-jobs@127.0.0.1:1"}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("address", body.Str("field"));
        (status, body) = await PostAsync(http, "/api/cluster/down", """{"address":"akka-jobs at 127.0.0.1"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("address", body.Str("field"));
        (status, body) = await PostAsync(http, "/api/cluster/down", null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("address", body.Str("field"));
        (status, _) = await PostAsync(http, "/api/cluster/down", JsonSerializer.Serialize(new { address = target }), ViewerToken);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        using var noToken = new HttpClient { BaseAddress = http.BaseAddress };
        using (var anonymous = await noToken.PostAsync("/api/cluster/down",
                   ApiTestSupport.JsonBody(JsonSerializer.Serialize(new { address = target }))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        }
        (status, _) = await PostAsync(http, "/api/cluster/down-unreachable", null, ViewerToken);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        (status, _) = await PostAsync(http, "/api/cluster/leave", null, ViewerToken);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        foreach (var path in new[] { "/api/cluster/leave", "/api/cluster/down", "/api/cluster/join" })
        {
            (status, body) = await PostAsync(http, path, JsonSerializer.Serialize(new { address = target }), TenantOperatorToken);
            Assert.True(status == HttpStatusCode.Forbidden, $"{path}: {(int)status} {body}");
        }
        (status, _) = await PostAsync(http, "/api/cluster/down-unreachable", null, TenantOperatorToken);
        Assert.Equal(HttpStatusCode.Forbidden, status);

        // Every refusal left the cluster as it was, and the forbidden one is in the audit log under the viewer's name.
        Assert.Equal(3, UpMembers(await ClusterAsync(_nodes[0])));
        var (_, audit) = await http.Get("/api/audit?limit=1000");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e =>
            e.Str("action") == "cluster.down" && e.Str("caller") == "watcher" && e.Str("outcome").StartsWith("denied (403)", StringComparison.Ordinal));
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e =>
            e.Str("action") == "cluster.down" && e.Str("caller") == "ops" && e.Str("outcome").StartsWith("not found (404)", StringComparison.Ordinal));
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e =>
            e.Str("action") == "cluster.leave" && e.Str("caller") == "team-a" && e.Str("outcome").StartsWith("denied (403)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Event_stream_sees_a_crashed_node_unreachable_and_down_removes_it()
    {
        var observer = _nodes[0];
        var victim = _nodes[2];
        var address = victim.Address;
        await using var stream = await EventStreamReader.OpenAsync(observer.Http.BaseAddress!, ViewerToken);
        await UntilAsync(() => Task.FromResult(_nodes.All(n => stream.Saw("member-up", n.Address))), "the current members first");

        _nodes.Remove(victim);
        await victim.CrashAsync();
        await UntilAsync(() => Task.FromResult(stream.Saw("unreachable", address)), "unreachable event");
        var member = (await ClusterAsync(observer)).GetProperty("members").EnumerateArray().Single(m => m.Str("address") == address);
        Assert.False(member.GetProperty("reachable").GetBoolean());

        var (status, body) = await PostAsync(observer.Http, "/api/cluster/down", JsonSerializer.Serialize(new { address }));
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(address, body.Str("address"));

        await UntilAsync(() => Task.FromResult(stream.Saw("member-removed", address)), "member-removed event");
        output.WriteLine(stream.ToString());
        Assert.True(stream.Saw("member-downed", address), stream.ToString());
        await UntilAsync(async () => (await ClusterAsync(observer)).GetProperty("members").GetArrayLength() == 2, "2 members");
        var (_, audit) = await observer.Http.Get("/api/audit?limit=1000");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e =>
            e.Str("action") == "cluster.down" && e.Str("target") == address && e.Str("outcome") == "ok" && e.Str("caller") == "ops");
    }

    [Fact]
    public async Task Cli_shows_three_members_up_and_the_scheduler_then_tails_a_crashed_node_being_downed()
    {
        var endpoint = _nodes[0].Http.BaseAddress!.ToString().TrimEnd('/');
        Func<string, string?> env = k => k == "AKKA_JOBS_TOKEN" ? OperatorToken : null;
        var cluster = await ClusterAsync(_nodes[0]);

        var show = await CliRunner.Run(["--endpoint", endpoint, "cluster", "show"], env);
        CliRunner.AssertExit(0, show);
        Assert.Contains("Count: 3 nodes", show.Out);
        foreach (var node in _nodes)
            CliRunner.AssertLine(show, l => l.Contains(node.Address.Split('@')[1]) && l.Contains(" up "), $"with {node.Address} up");
        CliRunner.AssertLine(show, l => l.StartsWith("Scheduler:") && l.Contains(cluster.Str("schedulerNode")), "naming the scheduler's node");

        // cluster tail runs until cancelled; its output is read while it runs.
        var tailOut = new LockedWriter();
        using var stopTail = new CancellationTokenSource();
        var tail = Orchestrator.Cli.Cli.RunAsync(["--endpoint", endpoint, "cluster", "tail"], new Orchestrator.Cli.CliHost(tailOut, new LockedWriter(), env, TimeProvider.System, null), stopTail.Token);
        var victim = _nodes[2];
        var address = victim.Address; // read before the crash disposes the node's services
        var port = address.Split(':')[^1];
        await UntilAsync(() => Task.FromResult(tailOut.Text.Contains(port)), "tail printing the current members");

        _nodes.Remove(victim);
        await victim.CrashAsync();
        await UntilAsync(async () => (await ClusterAsync(_nodes[0])).GetProperty("members").EnumerateArray()
            .Any(m => m.Str("address") == address && !m.GetProperty("reachable").GetBoolean()), "the crashed node unreachable");
        var down = await CliRunner.Run(["--endpoint", endpoint, "cluster", "down", address], env);
        CliRunner.AssertExit(0, down);

        await UntilAsync(() => Task.FromResult(tailOut.Text.Split('\n').Any(l => l.Contains("member-removed") && l.Contains(port))), "tail printing member-removed");
        stopTail.Cancel();
        Assert.Equal(0, await tail);
        output.WriteLine(tailOut.Text);
        Assert.Contains(tailOut.Text.Split('\n'), l => l.Contains("unreachable") && l.Contains(port));
        show = await CliRunner.Run(["--endpoint", endpoint, "cluster", "show"], env);
        Assert.Contains("Count: 2 nodes", show.Out);
    }

    /// <summary>A writer the test can read while the CLI writes to it from another thread.</summary>
    private sealed class LockedWriter : StringWriter
    {
        public string Text
        {
            get { lock (this) return ToString(); }
        }

        public override void Write(char value)
        {
            lock (this) base.Write(value);
        }

        public override void Write(string? value)
        {
            lock (this) base.Write(value);
        }

        public override void WriteLine(string? value)
        {
            lock (this) base.WriteLine(value);
        }
    }

    [Fact]
    public async Task Down_unreachable_downs_every_crashed_node_and_names_it()
    {
        var observer = _nodes[1];
        var victim = _nodes[2];
        var address = victim.Address;
        _nodes.Remove(victim);
        await victim.CrashAsync();
        await UntilAsync(async () => (await ClusterAsync(observer)).GetProperty("members").EnumerateArray()
            .Any(m => m.Str("address") == address && !m.GetProperty("reachable").GetBoolean()), "crashed node unreachable");

        var (status, body) = await PostAsync(observer.Http, "/api/cluster/down-unreachable", null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([address], body.GetProperty("downed").EnumerateArray().Select(a => a.GetString()!).ToArray());

        await UntilAsync(async () => (await ClusterAsync(observer)).GetProperty("members").EnumerateArray()
            .Select(m => m.Str("address")).Order().SequenceEqual(_nodes.Select(n => n.Address).Order()), "crashed node removed");
        Assert.Equal(2, UpMembers(await ClusterAsync(_nodes[0])));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Leave_removes_the_node_gracefully_whether_named_to_another_node_or_sent_to_itself_without_a_body(bool toItself)
    {
        var observer = _nodes[0];
        var leaver = _nodes[2];
        var address = leaver.Address;
        await using var stream = await EventStreamReader.OpenAsync(observer.Http.BaseAddress!, ViewerToken);

        var (status, body) = toItself
            ? await PostAsync(leaver.Http, "/api/cluster/leave", null)
            : await PostAsync(observer.Http, "/api/cluster/leave", JsonSerializer.Serialize(new { address }));
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(address, body.Str("address"));

        await UntilAsync(() => Task.FromResult(stream.Saw("member-removed", address)), "member-removed event");
        Assert.True(stream.Saw("member-left", address) || stream.Saw("member-exited", address), stream.ToString());
        await UntilAsync(async () => (await ClusterAsync(observer)).GetProperty("members").GetArrayLength() == 2, "2 members");
    }

    private static int UpMembers(JsonElement cluster) =>
        cluster.GetProperty("members").EnumerateArray().Count(m => m.Str("status") == "up");

    private static async Task<JsonElement> ClusterAsync(TestNode node)
    {
        var (status, body) = await node.Http.Get("/api/cluster");
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, string path, string? json, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = json is null ? null : ApiTestSupport.JsonBody(json) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.ReadJson());
    }

    private Task UntilAsync(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, what, Patience, output);
}
