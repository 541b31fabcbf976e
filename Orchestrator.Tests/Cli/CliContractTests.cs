using System.Net;
using System.Text.Json;
using Akka.Jobs.Orchestrator.Cli;
using Xunit;
using static Akka.Jobs.Tests.CliTests.CliRunner;

namespace Akka.Jobs.Tests.CliTests;

/// <summary>
/// Commands whose endpoints are in the API contract (runs, cluster changes and events, sharding) against replies shaped
/// as the contract says, from a fake handler: what is sent, and how the reply reads.
/// </summary>
public sealed class CliContractTests
{
    private const string A1 = "akka.tcp://akka-jobs@10.0.0.5:4053";
    private const string A2 = "akka.tcp://akka-jobs@10.0.0.6:4053";
    private static readonly string Now = TimeProvider.System.GetUtcNow().ToString("O");
    private static readonly string MinuteAgo = TimeProvider.System.GetUtcNow().AddMinutes(-1).ToString("O");

    private static string Run(string id, string status, string? error = null) => $$"""
        {"runId":"{{id}}","jobId":"nightly","scheduledUtc":"{{MinuteAgo}}","startedUtc":"{{MinuteAgo}}","finishedUtc":"{{Now}}",
         "status":"{{status}}","trigger":"manual","attempts":2,"reason":null,"error":{{(error is null ? "null" : $"\"{error}\"")}},
         "node":"{{A1}}","items":1,"skippedTimes":1,"output":"done","incarnation":1,"cause":"rerun of nightly@20261129T101500.000Z","failedAttempts":[]}
        """;

    private static string RunReply(string id, string status, string? error = null) => $$"""
        {"run":{{Run(id, status, error)}},"attempts":[
          {"itemKey":"default","attempt":1,"node":"{{A1}}","startedUtc":"{{MinuteAgo}}","finishedUtc":"{{MinuteAgo}}","outcome":"failed","errorKind":"exit-code","error":"exit code 3: a very long complaint from the shell script that goes on and on past the edge of the terminal"},
          {"itemKey":"default","attempt":2,"node":"{{A2}}","startedUtc":"{{MinuteAgo}}","finishedUtc":"{{Now}}","outcome":"succeeded","errorKind":null,"error":null}]}
        """;

    private static Task<CliResult> RunWith(FakeApi api, params string[] args) => CliRunner.Run(["--endpoint", "http://node:8080", .. args], handler: api);

    [Fact]
    public async Task Runs_show_prints_the_run_and_its_attempts()
    {
        const string id = "nightly@20261129T101500.000Z";
        var api = new FakeApi().Reply($"GET /api/runs/{Uri.EscapeDataString(id)}", HttpStatusCode.OK, RunReply(id, "succeeded"));
        var result = await RunWith(api, "runs", "show", id);
        AssertExit(0, result);
        AssertLine(result, l => l.StartsWith("Run ") && l.EndsWith(id), "l.StartsWith('Run ') && l.EndsWith(id)");
        AssertLine(result, l => l.StartsWith("Status") && l.EndsWith("succeeded"), "l.StartsWith('Status') && l.EndsWith('su");
        AssertLine(result, l => l.StartsWith("Finished") && l.EndsWith("(now)") || l.StartsWith("Finished") && l.EndsWith("ago)"), "l.StartsWith('Finished') && l.EndsWith('");
        AssertLine(result, l => l.StartsWith("ITEM") && l.Contains("OUTCOME"), "l.StartsWith('ITEM') && l.Contains('OUTC");
        AssertLine(result, l => l.StartsWith("default") && l.Contains(" 10.0.0.5:4053 ") && l.Contains("exit-code: exit code 3") && l.EndsWith("…"), "l.StartsWith('default') && l.Contains('e");
        Assert.DoesNotContain("{", result.Out);

        var json = await RunWith(api, "-o", "json", "runs", "show", id);
        Assert.Equal("succeeded", JsonDocument.Parse(json.Out).RootElement.GetProperty("run").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Runs_cancel_posts_and_a_409_is_exit_1_with_the_servers_error()
    {
        var api = new FakeApi()
            .Reply("POST /api/runs/r1/cancel", HttpStatusCode.Accepted, """{"runId":"r1","cancelled":true}""")
            .Reply("POST /api/runs/r2/cancel", HttpStatusCode.Conflict, """{"error":"run 'r2' already ended (succeeded)"}""");
        var ok = await RunWith(api, "runs", "cancel", "r1");
        AssertExit(0, ok);
        Assert.Equal("Cancelling run r1.", ok.Out.Trim());
        var ended = await RunWith(api, "runs", "cancel", "r2");
        AssertExit(1, ended);
        Assert.Equal("akka-jobs: run 'r2' already ended (succeeded)", ended.Err.Trim());
    }

    [Theory]
    [InlineData("succeeded", 0)]
    [InlineData("failed", 1)]
    [InlineData("cancelled", 1)]
    public async Task Runs_rerun_wait_polls_the_new_run_and_exits_by_its_outcome(string status, int exit)
    {
        const string newRun = "nightly~2@20261129T101500.000Z";
        var api = new FakeApi()
            .Reply("POST /api/runs/nightly%4020261129T101500.000Z/rerun", HttpStatusCode.Accepted, $$"""{"runId":"{{newRun}}","rerunOf":"nightly@20261129T101500.000Z"}""")
            .Reply($"GET /api/runs/{Uri.EscapeDataString(newRun)}", HttpStatusCode.OK, RunReply(newRun, status, status == "succeeded" ? null : "exit code 3"));
        var result = await RunWith(api, "runs", "rerun", "nightly@20261129T101500.000Z", "--wait");
        AssertExit(exit, result);
        AssertLine(result, l => l == $"run {newRun} {status} in 1m00s (2 attempts)" || l.StartsWith($"run {newRun} {status} in "), "l == $'run {newRun} {status} in 1m00s (2");
        if (exit != 0) Assert.Contains("  exit code 3", result.OutLines);
    }

    [Fact]
    public async Task Trigger_wait_falls_back_to_the_jobs_runs_when_the_node_has_no_runs_endpoint()
    {
        const string id = "nightly@20261129T101500.000Z";
        var api = new FakeApi()
            .Reply("POST /api/jobs/nightly/trigger", HttpStatusCode.Accepted, $$"""{"runId":"{{id}}"}""")
            .Reply("GET /api/jobs/nightly/runs?limit=100", HttpStatusCode.OK, $"[{Run(id, "succeeded")}]");
        var result = await RunWith(api, "jobs", "trigger", "nightly", "--wait");
        AssertExit(0, result);
        AssertLine(result, l => l.StartsWith($"run {id} succeeded"), "l.StartsWith($'run {id} succeeded')");
    }

    [Theory]
    [InlineData("leave", "/api/cluster/leave", "Leaving")]
    [InlineData("down", "/api/cluster/down", "Downed")]
    [InlineData("join", "/api/cluster/join", "Joining")]
    public async Task Cluster_leave_down_join_post_the_address(string command, string path, string verb)
    {
        var api = new FakeApi().Reply($"POST {path}", HttpStatusCode.Accepted, $$"""{"address":"{{A2}}"}""");
        var result = await RunWith(api, "cluster", command, A2);
        AssertExit(0, result);
        Assert.Equal($"{verb} {A2}.", result.Out.Trim());
        Assert.Equal($$"""{"address":"{{A2}}"}""", Assert.Single(api.Requests).Body);
    }

    [Fact]
    public async Task Cluster_down_of_an_unknown_member_is_exit_1()
    {
        var api = new FakeApi().Reply("POST /api/cluster/down", HttpStatusCode.NotFound, $$"""{"error":"no member has the address {{A2}}","field":"address"}""");
        var result = await RunWith(api, "cluster", "down", A2);
        AssertExit(1, result);
        Assert.Equal($"akka-jobs: no member has the address {A2}", result.Err.Trim());
    }

    [Fact]
    public async Task Cluster_down_unreachable_lists_the_downed()
    {
        var api = new FakeApi().Reply("POST /api/cluster/down-unreachable", HttpStatusCode.OK, $$"""{"downed":["{{A1}}","{{A2}}"]}""");
        var result = await RunWith(api, "cluster", "down-unreachable");
        AssertExit(0, result);
        Assert.Equal([$"Downed {A1}.", $"Downed {A2}."], result.OutLines);

        var none = await RunWith(new FakeApi().Reply("POST /api/cluster/down-unreachable", HttpStatusCode.OK, """{"downed":[]}"""), "cluster", "down-unreachable");
        Assert.Equal("No unreachable members.", none.Out.Trim());
    }

    [Fact]
    public async Task Cluster_show_marks_an_unreachable_member_and_fits_80_columns()
    {
        var api = new FakeApi().Reply("GET /api/cluster", HttpStatusCode.OK, $$"""
            {"self":"{{A1}}","leader":"{{A1}}","schedulerNode":"{{A2}}","members":[
              {"address":"{{A1}}","status":"up","roles":["jobs","workers"],"reachable":true,"upSinceUtc":"{{MinuteAgo}}"},
              {"address":"akka.tcp://akka-jobs@worker-7.internal:4053","status":"leaving","roles":[],"reachable":false,"upSinceUtc":null}]}
            """);
        var result = await RunWith(api, "cluster", "show");
        AssertExit(0, result);
        AssertLine(result, l => l.StartsWith(A1) && l.Contains("jobs,wo") && l.EndsWith("1m ago"), "l.StartsWith(A1) && l.Contains('jobs,wor");
        AssertLine(result, l => l.StartsWith("…") && l.Contains("@worker-7.internal:4053 ") && l.Contains(" leaving ") && l.Contains(" NO "), "l.StartsWith('akka.tcp://akka-jobs@a-rat");
        Assert.Equal(["Count: 2 nodes", $"Leader: {A1}", $"Scheduler: {A2}"], result.OutLines[^3..]);
    }

    [Fact]
    public async Task Cluster_tail_prints_each_member_event_as_a_line()
    {
        var events = $$"""
            event: member
            data: {"type":"member-up","address":"{{A1}}","status":"up","atUtc":"{{MinuteAgo}}"}

            : keep-alive

            event: member
            data: {"type":"unreachable","address":"{{A2}}","status":"up","atUtc":"{{Now}}"}


            """.Replace("\r\n", "\n");
        var api = new FakeApi().Reply("GET /api/cluster/events", HttpStatusCode.OK, events, "text/event-stream");
        var result = await RunWith(api, "cluster", "tail");
        // The fake stream ends; a real one lasts until Ctrl+C.
        AssertExit(1, result);
        Assert.Equal("akka-jobs: the node closed the event stream", result.Err.Trim());
        Assert.Matches($@"^\d\d:\d\d:\d\d  member-up        {A1}  up$", result.OutLines[1]);
        Assert.Matches($@"^\d\d:\d\d:\d\d  unreachable      {A2}  up$", result.OutLines[2]);
        Assert.Equal(3, result.OutLines.Length);

        var json = await RunWith(api, "-o", "json", "cluster", "tail");
        Assert.Equal(2, json.OutLines.Length);
        Assert.Equal("member-up", JsonDocument.Parse(json.OutLines[0]).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Cluster_tail_stops_cleanly_on_ctrl_c()
    {
        using var cts = new CancellationTokenSource();
        var api = new EndlessEvents(cts);
        var result = await CliRunner.Run(["--endpoint", "http://node:8080", "cluster", "tail"], handler: api, ct: cts.Token);
        Assert.True(result.ExitCode is 0 or 130, result.ToString());
        AssertLine(result, l => l.Contains("member-up"), "l.Contains('member-up')");
        Assert.DoesNotContain("Exception", result.Err);
    }

    [Fact]
    public async Task Sharding_regions_and_region_stats()
    {
        var api = new FakeApi()
            .Reply("GET /api/sharding/regions", HttpStatusCode.OK, $$"""
                {"regions":[{"typeName":"job","nodes":[{"address":"{{A1}}","shards":60},{"address":"{{A2}}","shards":40}]},
                            {"typeName":"worker","nodes":[{"address":"{{A1}}","shards":7}]}]}
                """)
            .Reply("GET /api/sharding/stats?region=job", HttpStatusCode.OK, $$"""
                {"regions":[{"typeName":"job","nodes":[
                   {"address":"{{A1}}","shards":[{"shardId":"1","entities":3},{"shardId":"2","entities":1}],"entities":4},
                   {"address":"{{A2}}","shards":[{"shardId":"3","entities":12}],"entities":12}],"shards":3,"entities":16}]}
                """);
        var regions = await RunWith(api, "cluster-sharding", "regions");
        AssertExit(0, regions);
        Assert.Matches($@"^job\s+{A1}\s+60$", regions.OutLines[1]);
        Assert.Matches($@"^job\s+{A2}\s+40$", regions.OutLines[2]);
        Assert.Matches($@"^worker\s+{A1}\s+ 7$", regions.OutLines[3]);

        var stats = await RunWith(api, "cluster-sharding", "region-stats", "-r", "job");
        AssertExit(0, stats);
        Assert.Matches($@"^job\s+{A1}\s+2\s+ 4$", stats.OutLines[1]);
        Assert.Matches($@"^job\s+{A2}\s+1\s+12$", stats.OutLines[2]);
        Assert.Matches(@"^job\s+\(total\)\s+3\s+16$", stats.OutLines[3]);
    }

    [Fact]
    public async Task An_endpoint_the_node_does_not_have_says_so()
    {
        var result = await RunWith(new FakeApi(), "cluster-sharding", "regions");
        AssertExit(1, result);
        Assert.Equal("akka-jobs: GET /api/sharding/regions: 404 Not Found (no such endpoint on this node; an older version?)", result.Err.Trim());
    }

    [Fact]
    public async Task Jobs_pause_sends_until_and_note_and_shows_the_end_of_the_pause()
    {
        var until = TimeProvider.System.GetUtcNow().AddHours(2).ToString("O");
        var api = new FakeApi().Reply("POST /api/jobs/nightly/pause", HttpStatusCode.OK, $$"""{"jobId":"nightly","paused":true,"pausedUntilUtc":"{{until}}"}""");
        var result = await RunWith(api, "jobs", "pause", "nightly", "--until", "2h", "--note", "db maintenance");
        AssertExit(0, result);
        Assert.Matches(@"^Paused job nightly until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in (1h|2h)\)\.$", result.Out.Trim());
        Assert.Equal("""{"until":"2h","note":"db maintenance"}""", Assert.Single(api.Requests).Body);
    }

    [Fact]
    public async Task Jobs_list_passes_tenant_and_status_and_shows_tenants_and_pauses()
    {
        var next = TimeProvider.System.GetUtcNow().AddMinutes(30).ToString("O");
        var api = new FakeApi().Reply("GET /api/jobs?tenant=acme&status=paused", HttpStatusCode.OK, $$"""
            [{"definition":{"id":"acme-export","schedule":"0 2 * * *","handler":"http","tenant":"acme"},"paused":true,
              "pausedUntilUtc":"{{next}}","createdUtc":"{{MinuteAgo}}","updatedUtc":"{{MinuteAgo}}","nextFireUtc":null}]
            """);
        var result = await RunWith(api, "jobs", "list", "--tenant", "acme", "--status", "paused");
        AssertExit(0, result);
        Assert.EndsWith("TENANT", result.OutLines[0]);
        Assert.Matches(@"^acme-export\s+0 2 \* \* \*\s+http\s+paused until \d\d:\d\d:\d\d\s+-\s+acme$", result.OutLines[1]);
        Assert.Equal("1 job", result.OutLines[2]);
    }

    [Fact]
    public void Job_id_of_a_run_id()
    {
        Assert.Equal("nightly", RunWaiter.JobIdOf("nightly@20261129T101500.000Z"));
        Assert.Equal("nightly", RunWaiter.JobIdOf("nightly~2@20261129T101500.000Z"));
    }

    /// <summary>One member event, then a stream that stays open until the test cancels (as Ctrl+C does).</summary>
    private sealed class EndlessEvents(CancellationTokenSource cancel) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var pipe = new System.IO.Pipelines.Pipe();
            _ = Task.Run(async () =>
            {
                await pipe.Writer.WriteAsync("event: member\ndata: {\"type\":\"member-up\",\"address\":\"a\",\"status\":\"up\"}\n\n"u8.ToArray());
                await Task.Delay(300);
                cancel.Cancel();
            });
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(pipe.Reader.AsStream()) });
        }
    }
}
