using Akka.Jobs.Domain.Secrets;
using Akka.Jobs.Actors.Handlers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Tests.Api;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Security;

/// <summary>One node with tokens of every role and a tenant-limited one; tests use their own job ids.</summary>
public sealed class SecuredNodeFixture : IAsyncLifetime
{
    public const string Admin = "admin-token-0123456789", Operator = "operator-token-0123456789", Viewer = "viewer-token-0123456789",
        TenantA = "tenant-a-token-0123456789", TenantB = "tenant-b-token-0123456789", TenantsAB = "tenants-ab-token-0123456789";

    public static readonly ApiTokens Tokens = new(
    [
        new ApiToken("root", Role.Admin, ApiToken.Hash(Admin)),
        new ApiToken("ops", Role.Operator, ApiToken.Hash(Operator)),
        new ApiToken("watcher", Role.Viewer, ApiToken.Hash(Viewer)),
        new ApiToken("team-a", Role.Admin, ApiToken.Hash(TenantA), new HashSet<string> { "a" }),
        new ApiToken("team-b", Role.Admin, ApiToken.Hash(TenantB), new HashSet<string> { "b" }),
        new ApiToken("team-ab", Role.Admin, ApiToken.Hash(TenantsAB), new HashSet<string> { "a", "b" }),
    ]);

    private TestNode? _node;

    public TestNode Node => _node ?? throw new InvalidOperationException("node not started");

    public HttpClient Client(string? token)
    {
        var http = new HttpClient { BaseAddress = Node.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A custom handler that declares one of its parameters safe to show to everyone.</summary>
    public const string ReportHandler = "report";

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(tokens: Tokens,
        configureServices: s => s.AddJobHandler<NoopHandler>(ReportHandler, "reportName"),
        secrets: new SecretStore([new Secret("report-key", "report-key-value")]));

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
    }
}

/// <summary>Bearer tokens, roles, tenant scopes and the audit log over HTTP.</summary>
public sealed class ApiSecurityTests(SecuredNodeFixture fixture) : IClassFixture<SecuredNodeFixture>
{
    private const string Noop = """{"schedule":"manual","handler":"noop"}""";

    [Theory]
    [InlineData("GET", "/api/jobs")]
    [InlineData("GET", "/api/cluster")]
    [InlineData("GET", "/api/audit")]
    [InlineData("POST", "/api/jobs/any/trigger")]
    [InlineData("PUT", "/api/jobs/any")]
    [InlineData("GET", "/api/runs/any@20260101T000000.000Z")]
    public async Task Missing_or_unknown_token_is_401_and_the_token_is_never_echoed(string method, string path)
    {
        foreach (var token in new string?[] { null, "not-a-configured-token-xyz", SecuredNodeFixture.Admin + "x", "" })
        {
            using var http = fixture.Client(token);
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "PUT" ? ApiTestSupport.JsonBody(Noop) : null };
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with '{token}': {(int)response.StatusCode} {text}");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains("bearer token", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
            if (!string.IsNullOrEmpty(token)) Assert.DoesNotContain(token, text);
        }
        using var basic = fixture.Client(null);
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", SecuredNodeFixture.Admin);
        Assert.Equal(HttpStatusCode.Unauthorized, (await basic.GetAsync("/api/jobs")).StatusCode);
    }

    [Fact]
    public async Task A_refused_attempt_to_change_something_without_a_valid_token_is_audited()
    {
        using var anonymous = fixture.Client("not-a-configured-token-xyz");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Post("/api/jobs/unauthenticated-target/trigger")).Status);
        using var viewer = fixture.Client(SecuredNodeFixture.Viewer);
        var (_, audit) = await viewer.Get("/api/audit?since=5m&limit=1000");
        var entry = audit.GetProperty("entries").EnumerateArray().Single(e => e.Str("target") == "/api/jobs/unauthenticated-target/trigger");
        Assert.Equal(("unauthenticated", "http.post", "denied (401)"), (entry.Str("caller"), entry.Str("action"), entry.Str("outcome")));
        Assert.DoesNotContain("not-a-configured-token-xyz", audit.ToString());
    }

    [Fact]
    public async Task A_tenant_limited_token_cannot_read_the_runs_of_an_earlier_life_of_a_reused_id()
    {
        using var admin = fixture.Client(SecuredNodeFixture.Admin);
        using var teamA = fixture.Client(SecuredNodeFixture.TenantA);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("reused-id", """{"schedule":"manual","handler":"noop","tenant":"b"}""")).Status);
        var bRun = await admin.Trigger("reused-id");
        await admin.WaitForRunEnd("reused-id", bRun);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Send(HttpMethod.Delete, "/api/jobs/reused-id")).Status);
        Assert.Equal(HttpStatusCode.Created, (await teamA.PutJob("reused-id", """{"schedule":"manual","handler":"noop","tenant":"a"}""")).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await teamA.Get($"/api/runs/{bRun}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await teamA.Get("/api/jobs/reused-id/runs?incarnation=1")).Status);
        var (_, runs) = await teamA.Get("/api/jobs/reused-id/runs");
        Assert.DoesNotContain(bRun, runs.ToString());
        // An unlimited token still reads the whole history.
        Assert.Equal(HttpStatusCode.OK, (await admin.Get($"/api/runs/{bRun}")).Status);
        var aRun = await teamA.Trigger("reused-id");
        Assert.Equal(HttpStatusCode.OK, (await teamA.Get($"/api/runs/{aRun}")).Status);
    }

    [Fact]
    public async Task Health_probes_need_no_token()
    {
        using var http = fixture.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Each_role_may_do_what_it_includes_and_gets_403_naming_the_role_needed_for_more()
    {
        using var admin = fixture.Client(SecuredNodeFixture.Admin);
        using var ops = fixture.Client(SecuredNodeFixture.Operator);
        using var viewer = fixture.Client(SecuredNodeFixture.Viewer);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("roles-a", Noop)).Status);

        // viewer reads, and nothing else
        Assert.Equal(HttpStatusCode.OK, (await viewer.Get("/api/jobs/roles-a")).Status);
        Assert.Equal(HttpStatusCode.OK, (await viewer.Get("/api/jobs/roles-a/runs")).Status);
        var (status, body) = await viewer.Post("/api/jobs/roles-a/trigger");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("token 'watcher' has role viewer; 'jobs.trigger' needs operator", body.Str("error"));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Post("/api/jobs/roles-a/pause")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutJob("roles-a", Noop)).Status);

        // operator steers runs and pauses, but cannot define or delete jobs
        var runId = await ops.Trigger("roles-a");
        await ops.WaitForRunEnd("roles-a", runId);
        Assert.Equal(HttpStatusCode.OK, (await ops.Post("/api/jobs/roles-a/pause")).Status);
        Assert.Equal(HttpStatusCode.OK, (await ops.Post("/api/jobs/roles-a/resume")).Status);
        (status, body) = await ops.PutJob("roles-a", """{"schedule":"hourly","handler":"noop"}""");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("needs admin", body.Str("error"));
        Assert.Equal(HttpStatusCode.Forbidden, (await ops.Send(HttpMethod.Delete, "/api/jobs/roles-a")).Status);

        // nothing the refused calls asked for happened
        var (_, job) = await admin.Get("/api/jobs/roles-a");
        Assert.Equal("manual", job.GetProperty("definition").Str("schedule"));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Send(HttpMethod.Delete, "/api/jobs/roles-a")).Status);
    }

    [Fact]
    public async Task A_tenant_limited_token_sees_and_changes_only_its_tenants_jobs()
    {
        using var admin = fixture.Client(SecuredNodeFixture.Admin);
        using var teamA = fixture.Client(SecuredNodeFixture.TenantA);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("tenant-b-job", """{"schedule":"manual","handler":"noop","tenant":"b"}""")).Status);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("tenant-none-job", Noop)).Status);
        Assert.Equal(HttpStatusCode.Created, (await teamA.PutJob("tenant-a-job", """{"schedule":"manual","handler":"noop","tenant":"a"}""")).Status);
        var bRun = await admin.Trigger("tenant-b-job");

        var (_, list) = await teamA.Get("/api/jobs");
        Assert.Equal(["tenant-a-job"], list.EnumerateArray().Select(j => j.GetProperty("definition").Str("id")).Where(id => id.StartsWith("tenant-")));
        (_, list) = await teamA.Get("/api/jobs?tenant=b");
        Assert.Empty(list.EnumerateArray());

        foreach (var (method, path) in new[]
                 {
                     ("GET", "/api/jobs/tenant-b-job"), ("GET", "/api/jobs/tenant-none-job"), ("POST", "/api/jobs/tenant-b-job/trigger"),
                     ("POST", "/api/jobs/tenant-b-job/pause"), ("DELETE", "/api/jobs/tenant-b-job"), ("GET", "/api/jobs/tenant-b-job/runs"),
                     ("GET", "/api/jobs/tenant-b-job/next"), ("GET", $"/api/runs/{bRun}"), ("POST", $"/api/runs/{bRun}/rerun"),
                 })
        {
            var (status, body) = await teamA.Send(new HttpMethod(method), path);
            Assert.True(status == HttpStatusCode.NotFound, $"{method} {path}: {(int)status} {body}");
        }

        var (put, error) = await teamA.PutJob("tenant-c-job", """{"schedule":"manual","handler":"noop","tenant":"c"}""");
        Assert.Equal(HttpStatusCode.Forbidden, put);
        Assert.Contains("tenants a", error.Str("error"));
        // A definition without a tenant gets the token's only tenant.
        Assert.Equal(HttpStatusCode.Created, (await teamA.PutJob("tenant-none-2", Noop)).Status);
        Assert.Equal("a", (await admin.Get("/api/jobs/tenant-none-2")).Body.GetProperty("definition").Str("tenant"));
        // Re-using another tenant's id neither reveals nor replaces it.
        Assert.Equal(HttpStatusCode.Conflict, (await teamA.PutJob("tenant-b-job", """{"schedule":"hourly","handler":"noop","tenant":"a"}""")).Status);
        var (_, b) = await admin.Get("/api/jobs/tenant-b-job");
        Assert.Equal("b", b.GetProperty("definition").Str("tenant"));
        Assert.Equal("manual", b.GetProperty("definition").Str("schedule"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Get("/api/jobs/tenant-c-job")).Status);

        Assert.Equal(HttpStatusCode.Forbidden, (await teamA.Get("/api/audit")).Status);
        var aRun = await teamA.Trigger("tenant-a-job");
        Assert.Equal(HttpStatusCode.OK, (await teamA.Get($"/api/runs/{aRun}")).Status);
    }

    [Fact]
    public async Task Every_mutating_call_is_in_the_audit_log_with_caller_action_target_and_outcome()
    {
        using var admin = fixture.Client(SecuredNodeFixture.Admin);
        using var ops = fixture.Client(SecuredNodeFixture.Operator);
        using var viewer = fixture.Client(SecuredNodeFixture.Viewer);
        var since = TimeProvider.System.GetUtcNow().AddSeconds(-1).ToString("O");
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("audited", Noop)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutJob("audited", """{"schedule":"61 * * * *","handler":"noop"}""")).Status);
        var runId = await ops.Trigger("audited");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Post("/api/jobs/audited/trigger")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.Post("/api/jobs/audited-missing/pause")).Status);
        Assert.Equal(HttpStatusCode.OK, (await viewer.Get("/api/jobs/audited")).Status); // a read is not audited

        var (status, audit) = await viewer.Get($"/api/audit?since={Uri.EscapeDataString(since)}&limit=100");
        Assert.Equal(HttpStatusCode.OK, status);
        var entries = audit.GetProperty("entries").EnumerateArray()
            .Where(e => e.Str("target").StartsWith("audited", StringComparison.Ordinal))
            .Select(e => $"{e.Str("caller")} {e.Str("action")} {e.Str("target")} {e.Str("outcome")} {e.Str("via")}").Reverse().ToList();
        string[] expected =
        [
            "root jobs.put audited ok api",
            "root jobs.put audited rejected (400): schedule: ",
            "ops jobs.trigger audited ok api",
            "watcher jobs.trigger audited denied (403): token 'watcher' has role viewer; 'jobs.trigger' needs operator api",
            "ops jobs.pause audited-missing not found (404): job 'audited-missing' does not exist api",
        ];
        Assert.True(entries.Count == expected.Length, string.Join("\n", entries));
        for (var i = 0; i < expected.Length; i++) Assert.StartsWith(expected[i], entries[i]);
        Assert.DoesNotContain(audit.ToString(), SecuredNodeFixture.Operator);
        Assert.NotEmpty(runId);

        (status, audit) = await viewer.Get("/api/audit?limit=5000");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1000, audit.GetProperty("limit").GetInt32());
        (status, audit) = await viewer.Get("/api/audit?since=1h&limit=2");
        Assert.Equal(2, audit.GetProperty("entries").GetArrayLength());
        foreach (var bad in new[] { "since=yesterday", "since=2026-11-29T10:00:00", "limit=0", "limit=ten" })
        {
            var (s, body) = await viewer.Get($"/api/audit?{bad}");
            Assert.True(s == HttpStatusCode.BadRequest, $"{bad}: {(int)s} {body}");
            Assert.Equal(bad.Split('=')[0], body.Str("field"));
        }
    }
}
