using System.Net;
using System.Text.Json;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Domain.Secrets;
using Akka.Jobs.Tests.Handlers;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>A node with named secrets and a test server on 127.0.0.1 (allowed for test nodes).</summary>
public sealed class SecretsNodeFixture : IAsyncLifetime
{
    public const string HookToken = "hook-token-0123456789";
    private TestNode? _node;

    public TestNode Node => _node ?? throw new InvalidOperationException("node not started");
    internal TestHttpServer Server { get; } = new();

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(
        secrets: new SecretStore([new Secret("hook", HookToken), new Secret("acme-key", "acme-key-0123456789", tenants: new HashSet<string> { "acme" })]),
        configureServices: s => s.AddJobHandler<LeakyHandler>("leaky"));

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>A custom handler that writes a secret into its output or its error: the worker must mask it.</summary>
public sealed class LeakyHandler(ISecretStore secrets) : IJobHandler
{
    public Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        if (!secrets.TryResolve("hook", context.Definition.Tenant, null, out var value, out var error))
            throw new JobHandlerException("secret", error, retryable: false);
        return context.Parameters.TryGetProperty("fail", out _)
            ? throw new JobHandlerException("leak", $"the server said no to {value}", retryable: false)
            : Task.FromResult(new HandlerResult($"used {value}"));
    }
}

public sealed class SecretsApiTests(SecretsNodeFixture fixture) : IClassFixture<SecretsNodeFixture>
{
    private HttpClient Http => fixture.Node.Http;

    /// <summary>An http job's definition: the url and <paramref name="parameters"/> (more JSON members).</summary>
    private static string HttpJob(string url, string parameters, string? tenant = null) =>
        "{\"schedule\":\"manual\",\"handler\":\"http\"," + (tenant is null ? "" : $"\"tenant\":\"{tenant}\",")
        + "\"parameters\":{\"url\":" + JsonSerializer.Serialize(url) + "," + parameters + "}}";

    [Theory]
    [InlineData("bearer-env-db", "\"bearerTokenEnv\":\"AKKA_JOBS_DB\"", null, "parameters.bearerTokenEnv")]
    [InlineData("unknown-secret", "\"bearerTokenSecret\":\"nope\"", null, "parameters.bearerTokenSecret")]
    [InlineData("other-tenant", "\"headers\":{\"X-Key\":{\"secret\":\"acme-key\"}}", "beta", "parameters.headers.X-Key")]
    public async Task A_definition_naming_a_secret_it_may_not_use_is_400(string id, string parameters, string? tenant, string field)
    {
        var (status, body) = await Http.PutJob(id, HttpJob("https://api.example.com/x", parameters, tenant));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, body.Str("field"));
        Assert.DoesNotContain("0123456789", body.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.Get($"/api/jobs/{id}")).Status);
    }

    [Fact]
    public async Task A_secret_echoed_by_the_server_is_masked_in_the_run()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("echo-secret", HttpJob(fixture.Server.Url("/echo"), "\"bearerTokenSecret\":\"hook\""))).Status);

        var runId = await Http.Trigger("echo-secret");
        await Http.WaitForRunEnd("echo-secret", runId);
        var (_, body) = await Http.Get($"/api/runs/{runId}");

        Assert.Equal("succeeded", body.GetProperty("run").Str("status"));
        Assert.Equal($"Bearer {SecretsNodeFixture.HookToken}", fixture.Server.Requests.Single(r => r.Path == "/echo").Authorization);
        Assert.Contains("auth=Bearer ***", body.GetProperty("run").Str("output"));
        Assert.DoesNotContain(SecretsNodeFixture.HookToken, body.ToString());
    }

    [Fact]
    public async Task A_custom_handlers_output_and_error_are_masked_by_the_worker()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("leaky-ok", """{"schedule":"manual","handler":"leaky"}""")).Status);
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("leaky-fail", """{"schedule":"manual","handler":"leaky","parameters":{"fail":true}}""")).Status);

        var ok = await Http.Trigger("leaky-ok");
        var failed = await Http.Trigger("leaky-fail");
        await Http.WaitForRunEnd("leaky-ok", ok);
        var failedRun = await Http.WaitForRunEnd("leaky-fail", failed);
        var (_, okBody) = await Http.Get($"/api/runs/{ok}");

        Assert.Equal("used ***", okBody.GetProperty("run").Str("output"));
        Assert.Equal("failed", failedRun.Str("status"));
        Assert.Contains("the server said no to ***", failedRun.Str("error"));
        Assert.DoesNotContain(SecretsNodeFixture.HookToken, okBody.ToString() + failedRun);
    }

    [Fact]
    public async Task A_node_with_the_production_policy_fails_a_metadata_request_once_as_address_denied()
    {
        await using var node = await TestNode.StartAsync(httpPolicy: Akka.Jobs.Domain.Outbound.OutboundPolicy.Default);
        Assert.Equal(HttpStatusCode.Created, (await node.Http.PutJob("metadata", HttpJob("http://169.254.169.254/latest/meta-data", "\"method\":\"GET\""))).Status);

        var runId = await node.Http.Trigger("metadata");
        var run = await node.Http.WaitForRunEnd("metadata", runId);
        var (_, body) = await node.Http.Get($"/api/runs/{runId}");

        Assert.Equal("failed", run.Str("status"));
        Assert.Equal(1, run.GetProperty("attempts").GetInt32());
        Assert.Contains("169.254.169.254 is a link-local address", run.Str("error"));
        Assert.Equal("address-denied", Assert.Single(body.GetProperty("attempts").EnumerateArray()).Str("errorKind"));
    }
}

/// <summary>A shell job's <c>env</c> takes named secrets: the program gets the value, the run's output never shows it.</summary>
public sealed class ShellSecretsApiTests(SecretsNodeFixture fixture) : IClassFixture<SecretsNodeFixture>
{
    private HttpClient Http => fixture.Node.Http;

    private static string ShellJob(string env, string script, string? tenant = null) =>
        "{\"schedule\":\"manual\",\"handler\":\"shell\"," + (tenant is null ? "" : $"\"tenant\":\"{tenant}\",")
        + "\"parameters\":{\"command\":\"/bin/sh\",\"args\":[\"-c\"," + JsonSerializer.Serialize(script) + "],\"env\":" + env + "}}";

    [Fact]
    public async Task A_secret_in_env_reaches_the_program_and_is_masked_in_its_output()
    {
        var json = ShellJob("""{"HOOK":{"secret":"hook"}}""",
            $"""[ "$HOOK" = "{SecretsNodeFixture.HookToken}" ] && echo same-value; echo "hook=$HOOK" """);
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("shell-secret-env", json)).Status);

        var run = await Http.WaitForRunEnd("shell-secret-env", await Http.Trigger("shell-secret-env"), TimeSpan.FromSeconds(60));

        Assert.Equal("succeeded", run.Str("status"));
        Assert.Contains("same-value", run.Str("output"));
        Assert.Contains("hook=***", run.Str("output"));
        Assert.DoesNotContain(SecretsNodeFixture.HookToken, run.ToString());
    }

    [Fact]
    public async Task A_secret_of_another_tenant_in_env_is_refused_at_registration()
    {
        var (status, body) = await Http.PutJob("shell-secret-other", ShellJob("""{"KEY":{"secret":"acme-key"}}""", "true", tenant: "beta"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("parameters.env.KEY", body.ToString());
        Assert.DoesNotContain("acme-key-0123456789", body.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.Get("/api/jobs/shell-secret-other")).Status);
    }
}
