using System.Text.Json;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Domain.Secrets;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;
using static Akka.Jobs.Tests.Handlers.HandlerTestSupport;

namespace Akka.Jobs.Tests.Handlers;

public sealed class HttpHandlerTests : IAsyncLifetime
{
    private const string Token = "token-0123456789";
    private const string ApiKey = "key-abcdefghij";

    /// <summary>The secrets the handler may use: two open to every job, one to tenant acme, one to api.example.com.</summary>
    internal static readonly SecretStore Secrets = new([
        new Secret("token", Token),
        new Secret("api-key", ApiKey),
        new Secret("acme-only", "acme-value-123", tenants: new HashSet<string> { "acme" }),
        new Secret("example-only", "example-value-123", hosts: ["api.example.com"]),
    ]);

    private readonly TestHttpServer _server = new();
    // The test server listens on 127.0.0.1, which the production policy refuses (OutboundHttpTests).
    private readonly HttpClient _client = OutboundHttp.CreateClient(TestNode.LoopbackTestServers);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private Task<HandlerResult> Run(string parametersJson, CancellationToken ct = default, string? tenant = null) =>
        new HttpHandler(_client, Secrets, TestNode.LoopbackTestServers).ExecuteAsync(Context("http", parametersJson, tenant: tenant), ct);

    private static string Url(string url) => JsonSerializer.Serialize(url);

    [Fact]
    public async Task Ok_returns_status_and_body()
    {
        var result = await Run($$"""{"url":{{Url(_server.Url("/hello"))}}}""");

        Assert.Equal("HTTP 200\nok", result.Output);
        var req = Assert.Single(_server.Requests);
        Assert.Equal("GET", req.Method);
        Assert.Equal("/hello", req.Path);
    }

    [Fact]
    public async Task An_error_shows_the_url_without_user_info_and_query_values()
    {
        var url = _server.Url("/status/404?api_key=key-in-query&BARETOKEN").Replace("http://", "http://user:pass-in-url@");
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$"""{"url":{{Url(url)}}}"""));

        Assert.Contains("/status/404?api_key=***&***", ex.Message);
        foreach (var secret in new[] { "key-in-query", "BARETOKEN", "user", "pass-in-url" })
            Assert.DoesNotContain(secret, ex.Message);
    }

    [Fact]
    public async Task Not_found_is_a_non_retryable_4xx()
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$"""{"url":{{Url(_server.Url("/status/404"))}}}"""));

        Assert.Equal("http-4xx", ex.Kind);
        Assert.False(ex.Retryable);
        Assert.Contains("HTTP 404", ex.Message);
        Assert.Contains("body-404", ex.Message);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(408)]
    public async Task Server_errors_and_throttling_are_retryable(int status)
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$"""{"url":{{Url(_server.Url($"/status/{status}"))}}}"""));

        Assert.Equal($"http-{status}", ex.Kind);
        Assert.True(ex.Retryable);
        Assert.Contains($"HTTP {status}", ex.Message);
    }

    [Fact]
    public async Task Connection_refused_is_a_retryable_connection_error()
    {
        var port = TestHttpServer.FreePort();

        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$"""{"url":"http://127.0.0.1:{{port}}/x"}"""));

        Assert.Equal("connection", ex.Kind);
        Assert.True(ex.Retryable);
    }

    [Fact]
    public async Task Bearer_token_and_headers_are_sent_from_named_secrets_and_masked_in_the_output()
    {
        var result = await Run($$$"""
            {"url":{{{Url(_server.Url("/echo"))}}},"bearerTokenSecret":"token","headers":{"X-Api-Key":{"secret":"api-key"},"X-Trace":"abc"}}
            """);

        var req = Assert.Single(_server.Requests);
        Assert.Equal($"Bearer {Token}", req.Authorization);
        Assert.Equal(ApiKey, req.Headers["X-Api-Key"]);
        Assert.Equal("abc", req.Headers["X-Trace"]);
        Assert.Equal("HTTP 200\nauth=Bearer *** key=***", result.Output);
    }

    [Fact]
    public async Task Bearer_token_env_is_refused_alike_whether_or_not_the_variable_exists()
    {
        var set = $"AKKA_JOBS_TEST_SET_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(set, "s3cret-token");
        try
        {
            var existing = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$"""{"url":{{Url(_server.Url("/auth"))}},"bearerTokenEnv":"{{set}}"}"""));
            var db = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$"""{"url":{{Url(_server.Url("/auth"))}},"bearerTokenEnv":"AKKA_JOBS_DB"}"""));
            var missing = await Assert.ThrowsAsync<JobHandlerException>(() =>
                Run($$"""{"url":{{Url(_server.Url("/auth"))}},"bearerTokenEnv":"AKKA_JOBS_TEST_UNSET_{{Guid.NewGuid():N}}"}"""));

            Assert.All([existing, db, missing], ex => Assert.Equal(("config", false), (ex.Kind, ex.Retryable)));
            Assert.Equal(existing.Message, missing.Message);
            Assert.Equal(existing.Message, db.Message);
            Assert.Contains("parameters.bearerTokenEnv", existing.Message);
            Assert.Empty(_server.Requests);
        }
        finally
        {
            Environment.SetEnvironmentVariable(set, null);
        }
    }

    [Theory]
    [InlineData("""{"bearerTokenSecret":"nope"}""", null, "unknown secret 'nope'")]
    [InlineData("""{"bearerTokenSecret":"acme-only"}""", "beta", "secret 'acme-only' is not available to tenant 'beta'")]
    [InlineData("""{"headers":{"X-Key":{"secret":"acme-only"}}}""", "beta", "secret 'acme-only' is not available to tenant 'beta'")]
    [InlineData("""{"headers":{"X-Key":{"secret":"example-only"}}}""", null, "secret 'example-only' may not be sent to host '127.0.0.1'")]
    public async Task A_secret_the_job_may_not_use_fails_the_attempt_as_secret_naming_it(string parameters, string? tenant, string reason)
    {
        var json = parameters.Insert(1, $$"""
            "url":{{Url(_server.Url("/echo"))}},
            """);

        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run(json, tenant: tenant));

        Assert.Equal(("secret", false), (ex.Kind, ex.Retryable));
        Assert.Contains(reason, ex.Message);
        Assert.DoesNotContain("value-123", ex.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_tenant_secret_is_sent_for_a_job_of_that_tenant()
    {
        await Run($$"""{"url":{{Url(_server.Url("/echo"))}},"bearerTokenSecret":"acme-only"}""", tenant: "acme");

        Assert.Equal("Bearer acme-value-123", Assert.Single(_server.Requests).Authorization);
    }

    [Fact]
    public async Task Error_messages_do_not_show_the_urls_user_name_and_password()
    {
        var url = _server.Url("/status/404").Replace("http://", "http://user:pa55word@");

        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$"""{"url":{{Url(url)}}}"""));

        Assert.Equal("http-4xx", ex.Kind);
        Assert.DoesNotContain("pa55word", ex.Message);
        Assert.Contains(_server.Url("/status/404").Replace("http://", "http://***@"), ex.Message);
    }

    [Fact]
    public async Task Json_body_is_sent_as_application_json()
    {
        await Run($$$"""{"method":"post","url":{{{Url(_server.Url("/json"))}}},"body":{"a":1,"b":["x"]}}""");

        var req = Assert.Single(_server.Requests);
        Assert.Equal("POST", req.Method);
        Assert.StartsWith("application/json", req.ContentType);
        using var doc = JsonDocument.Parse(req.Body);
        Assert.Equal(1, doc.RootElement.GetProperty("a").GetInt32());
        Assert.Equal("x", doc.RootElement.GetProperty("b")[0].GetString());
    }

    [Fact]
    public async Task String_body_uses_content_type_or_text_plain()
    {
        await Run($$"""{"method":"PUT","url":{{Url(_server.Url("/a"))}},"body":"<x/>","contentType":"application/xml"}""");
        await Run($$"""{"method":"PUT","url":{{Url(_server.Url("/b"))}},"body":"plain words"}""");

        var reqs = _server.Requests.ToArray();
        Assert.Equal("application/xml", reqs[0].ContentType);
        Assert.Equal("<x/>", reqs[0].Body);
        Assert.StartsWith("text/plain", reqs[1].ContentType);
        Assert.Equal("plain words", reqs[1].Body);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"url":"not a url"}""")]
    [InlineData("""{"url":"ftp://example.com/x"}""")]
    public async Task Missing_or_invalid_url_is_a_non_retryable_config_error(string parameters)
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run(parameters));

        Assert.Equal("config", ex.Kind);
        Assert.False(ex.Retryable);
        Assert.Contains("parameters.url", ex.Message);
    }

    [Fact]
    public async Task Cancelled_token_surfaces_as_cancellation()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run($$"""{"url":{{Url(_server.Url("/x"))}}}""", cts.Token));
    }

    [Fact]
    public async Task Client_timeout_without_cancelled_token_is_a_retryable_timeout()
    {
        // a listener that accepts connections but never answers
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var client = OutboundHttp.CreateClient(TestNode.LoopbackTestServers);
        client.Timeout = TimeSpan.FromMilliseconds(300);

        var ex = await Assert.ThrowsAsync<JobHandlerException>(() =>
            new HttpHandler(client, Secrets, TestNode.LoopbackTestServers).ExecuteAsync(Context("http", $$"""{"url":"http://127.0.0.1:{{port}}/slow"}"""), CancellationToken.None));

        Assert.Equal("timeout", ex.Kind);
        Assert.True(ex.Retryable);
    }
}
