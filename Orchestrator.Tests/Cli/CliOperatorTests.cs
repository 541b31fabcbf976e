using System.Net;
using Akka.Jobs.Tests.Api;
using Akka.Jobs.Tests.Infrastructure;
using Akka.Jobs.Tests.Security;
using Xunit;
using static Akka.Jobs.Tests.CliTests.CliRunner;

namespace Akka.Jobs.Tests.CliTests;

/// <summary>
/// The runs, pause, sharding and failing-jobs commands end to end against a real node with tokens, and what a token's
/// role and tenants refuse. Each test uses its own job ids.
/// </summary>
public sealed class CliOperatorTests(SecuredNodeFixture fixture) : IClassFixture<SecuredNodeFixture>
{
    private string Endpoint => fixture.Node.Http.BaseAddress!.ToString();
    private HttpClient Admin { get; } = fixture.Client(SecuredNodeFixture.Admin);

    private Task<CliResult> As(string token, params string[] args) =>
        Run(["--endpoint", Endpoint, .. args], k => k == "AKKA_JOBS_TOKEN" ? token : null);

    [Fact]
    public async Task Runs_show_cancel_and_rerun_a_run_and_the_audit_names_the_cli()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("cli-long",
            """{"schedule":"manual","handler":"shell","parameters":{"command":"/bin/sh","args":["-c","sleep 60"]}}""")).Status);
        var trigger = await As(SecuredNodeFixture.Operator, "--output", "json", "jobs", "trigger", "cli-long");
        AssertExit(0, trigger);
        var runId = System.Text.Json.JsonDocument.Parse(trigger.Out).RootElement.GetProperty("runId").GetString()!;
        await Eventually.UntilAsync(async () => (await Admin.Get($"/api/runs/{runId}")).Body.GetProperty("run").Str("status") == "running",
            "the run running", TimeSpan.FromSeconds(60));

        var show = await As(SecuredNodeFixture.Viewer, "runs", "show", runId);
        AssertExit(0, show);
        Assert.Contains("running", show.Out);
        Assert.Contains("triggered by ops", show.Out);

        AssertExit(1, await As(SecuredNodeFixture.Viewer, "runs", "cancel", runId)); // a viewer may not
        var cancel = await As(SecuredNodeFixture.Operator, "runs", "cancel", runId);
        AssertExit(0, cancel);
        var ended = await Admin.WaitForRunEnd("cli-long", runId);
        Assert.Equal(("cancelled", "cancelled by ops"), (ended.Str("status"), ended.Str("reason")));
        var again = await As(SecuredNodeFixture.Operator, "runs", "cancel", runId);
        AssertExit(1, again);
        Assert.Contains("already ended", again.Err);

        Assert.Equal(HttpStatusCode.OK, (await Admin.PutJob("cli-long", """{"schedule":"manual","handler":"noop"}""")).Status);
        var rerun = await As(SecuredNodeFixture.Operator, "runs", "rerun", runId, "--wait");
        AssertExit(0, rerun);
        Assert.Contains("succeeded", rerun.Out);

        var unknown = await As(SecuredNodeFixture.Operator, "runs", "show", "cli-long@20200101T000000.000Z");
        AssertExit(1, unknown);
        Assert.Contains("does not exist", unknown.Err);

        var audit = await As(SecuredNodeFixture.Viewer, "--output", "json", "audit", "--since", "10m");
        AssertExit(0, audit);
        Assert.Contains("\"runs.cancel\"", audit.Out);
        Assert.Contains("\"cli\"", audit.Out);
    }

    [Fact]
    public async Task Pause_until_with_a_note_shows_on_the_job_and_failing_jobs_are_listed()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("cli-pause", """{"schedule":"hourly","handler":"noop"}""")).Status);
        AssertExit(0, await As(SecuredNodeFixture.Operator, "jobs", "pause", "cli-pause", "--until", "2h", "--note", "db upgrade"));
        var (_, job) = await Admin.Get("/api/jobs/cli-pause");
        Assert.True(job.GetProperty("paused").GetBoolean());
        Assert.Equal("db upgrade (paused by ops)", job.Str("pausedReason"));
        Assert.True(job.GetProperty("pausedUntilUtc").GetDateTimeOffset() > TimeProvider.System.GetUtcNow().AddMinutes(100));
        var paused = await As(SecuredNodeFixture.Viewer, "jobs", "list", "--status", "paused");
        AssertLine(paused, l => l.StartsWith("cli-pause"), "listing the paused job");
        var bad = await As(SecuredNodeFixture.Operator, "jobs", "pause", "cli-pause", "--until", "yesterday");
        Assert.NotEqual(0, bad.ExitCode);

        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("cli-failing",
            """{"schedule":"manual","handler":"shell","retry":{"maxAttempts":1},"parameters":{"command":"/bin/sh","args":["-c","exit 1"]}}""")).Status);
        AssertExit(1, await As(SecuredNodeFixture.Operator, "jobs", "trigger", "cli-failing", "--wait"));
        await Eventually.UntilAsync(async () =>
        {
            var failing = await As(SecuredNodeFixture.Viewer, "jobs", "list", "--status", "failing");
            return failing.ExitCode == 0 && failing.OutLines.Any(l => l.StartsWith("cli-failing")) && !failing.OutLines.Any(l => l.StartsWith("cli-pause"));
        }, "cli-failing listed as failing", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Sharding_regions_and_stats_show_the_job_and_worker_regions()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("cli-shard", """{"schedule":"manual","handler":"noop"}""")).Status);
        await Admin.WaitForRunEnd("cli-shard", await Admin.Trigger("cli-shard"));
        var regions = await As(SecuredNodeFixture.Viewer, "cluster-sharding", "regions");
        AssertExit(0, regions);
        AssertLine(regions, l => l.Contains("job"), "with the job region");
        AssertLine(regions, l => l.Contains("worker"), "with the worker region");
        var stats = await As(SecuredNodeFixture.Viewer, "cluster-sharding", "region-stats", "-r", "job");
        AssertExit(0, stats);
        Assert.DoesNotContain("worker", stats.Out);
        var bad = await As(SecuredNodeFixture.Viewer, "cluster-sharding", "region-stats", "-r", "scheduler");
        Assert.NotEqual(0, bad.ExitCode);
    }

    [Fact]
    public async Task The_token_can_come_from_a_file_and_a_token_over_plain_http_to_another_host_is_warned_about()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, SecuredNodeFixture.Viewer + "\n");
            AssertExit(0, await Run(["--endpoint", Endpoint, "--token-file", file, "jobs", "list"]));
            AssertExit(0, await Run(["--endpoint", Endpoint, "jobs", "list"], k => k == "AKKA_JOBS_TOKEN_FILE" ? file : null));
            File.WriteAllText(file, "");
            var empty = await Run(["--endpoint", Endpoint, "--token-file", file, "jobs", "list"]);
            AssertExit(2, empty);
            Assert.Contains("is empty", empty.Err);
        }
        finally
        {
            File.Delete(file);
        }
        var missing = await Run(["--endpoint", Endpoint, "--token-file", "/nonexistent/token", "jobs", "list"]);
        AssertExit(2, missing);
        Assert.Contains("--token-file: cannot read '/nonexistent/token'", missing.Err);

        var remote = new FakeApi().Reply("GET /api/audit", HttpStatusCode.OK, """{"limit":100,"entries":[]}""");
        var warned = await Run(["--endpoint", "http://10.1.2.3:8080", "--token", "some-token-0123456789", "audit"], handler: remote);
        AssertExit(0, warned);
        Assert.Contains("warning: the token goes to 10.1.2.3 over plain http", warned.Err);
        Assert.DoesNotContain("some-token-0123456789", warned.Err);
        var local = await As(SecuredNodeFixture.Viewer, "audit");
        Assert.DoesNotContain("warning", local.Err);
    }

    [Fact]
    public async Task Cluster_membership_commands_on_one_node_answer_with_the_servers_reason()
    {
        var leader = await As(SecuredNodeFixture.Viewer, "cluster", "leader");
        AssertExit(0, leader);
        Assert.Contains("akka.tcp://akka-jobs@127.0.0.1:", leader.Out);

        AssertExit(0, await As(SecuredNodeFixture.Operator, "cluster", "down-unreachable"));
        var leave = await As(SecuredNodeFixture.Operator, "cluster", "leave", "akka.tcp://akka-jobs@127.0.0.1:1");
        AssertExit(1, leave);
        Assert.Contains("no cluster member has address", leave.Err);
        var join = await As(SecuredNodeFixture.Operator, "cluster", "join", "akka.tcp://akka-jobs@127.0.0.1:2");
        AssertExit(1, join);
        AssertExit(2, await As(SecuredNodeFixture.Operator, "cluster", "down", "not-an-address"));
        var unreachable = await Run(["--endpoint", "http://127.0.0.1:1", "cluster", "show"]);
        AssertExit(1, unreachable);
        Assert.StartsWith("akka-jobs: cannot reach http://127.0.0.1:1", unreachable.Err);
        Assert.Single(unreachable.Err.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_tenant_limited_token_sees_only_its_tenants_jobs_and_weak_roles_are_refused_in_one_line()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("cli-tenant-b", """{"schedule":"manual","handler":"noop","tenant":"b"}""")).Status);
        var show = await As(SecuredNodeFixture.TenantA, "jobs", "show", "cli-tenant-b");
        AssertExit(1, show);
        Assert.Contains("does not exist", show.Err);
        var list = await As(SecuredNodeFixture.TenantA, "jobs", "list");
        Assert.DoesNotContain("cli-tenant-b", list.Out);
        var audit = await As(SecuredNodeFixture.TenantA, "audit");
        AssertExit(1, audit);
        Assert.StartsWith("akka-jobs: forbidden:", audit.Err);

        var remove = await As(SecuredNodeFixture.Operator, "jobs", "remove", "cli-tenant-b");
        AssertExit(1, remove);
        Assert.Contains("needs admin", remove.Err);
        Assert.Single(remove.Err.Trim().Split('\n'));
        var down = await As(SecuredNodeFixture.Viewer, "cluster", "down", "akka.tcp://akka-jobs@127.0.0.1:1");
        AssertExit(1, down);
        Assert.Contains("forbidden", down.Err);
    }
}
