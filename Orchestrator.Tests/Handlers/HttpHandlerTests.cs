using System.Text.Json;
using Akka.Jobs.Actors.Handlers;
using Xunit;
using static Akka.Jobs.Tests.Handlers.HandlerTestSupport;

namespace Akka.Jobs.Tests.Handlers;

public sealed class HttpHandlerTests : IAsyncLifetime
{
    private readonly TestHttpServer _server = new();
    private readonly HttpClient _client = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private Task<HandlerResult> Run(string parametersJson, CancellationToken ct = default) =>
        new HttpHandler(_client).ExecuteAsync(Context("http", parametersJson), ct);

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
    public async Task Bearer_token_is_read_from_the_named_environment_variable()
    {
        var name = $"AKKA_JOBS_TEST_TOKEN_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, "s3cret-token");
        try
        {
            await Run($$$"""{"url":{{{Url(_server.Url("/auth"))}}},"bearerTokenEnv":"{{{name}}}","headers":{"X-Trace":"abc"}}""");
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        var req = Assert.Single(_server.Requests);
        Assert.Equal("Bearer s3cret-token", req.Authorization);
        Assert.Equal("abc", req.Headers["X-Trace"]);
    }

    [Fact]
    public async Task Missing_token_variable_is_a_non_retryable_config_error_naming_it()
    {
        var name = $"AKKA_JOBS_TEST_UNSET_{Guid.NewGuid():N}";

        var ex = await Assert.ThrowsAsync<JobHandlerException>(() =>
            Run($$"""{"url":{{Url(_server.Url("/auth"))}},"bearerTokenEnv":"{{name}}"}"""));

        Assert.Equal("config", ex.Kind);
        Assert.False(ex.Retryable);
        Assert.Contains(name, ex.Message);
        Assert.Empty(_server.Requests);
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
        using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };

        var ex = await Assert.ThrowsAsync<JobHandlerException>(() =>
            new HttpHandler(client).ExecuteAsync(Context("http", $$"""{"url":"http://127.0.0.1:{{port}}/slow"}"""), CancellationToken.None));

        Assert.Equal("timeout", ex.Kind);
        Assert.True(ex.Retryable);
    }
}
