using System.Text.Json;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Domain.Outbound;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;
using static Akka.Jobs.Tests.Handlers.HandlerTestSupport;

namespace Akka.Jobs.Tests.Handlers;

/// <summary>
/// The http handler's outbound policy: what the resolved address may be, which hosts may be called, redirects and cookies.
/// The test servers listen on 127.0.0.1: refused under the production policy, allowed under <see cref="TestNode.LoopbackTestServers"/>.
/// </summary>
public sealed class OutboundHttpTests : IAsyncLifetime
{
    private readonly TestHttpServer _server = new();
    private readonly TestHttpServer _other = new();
    private readonly List<HttpClient> _clients = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        await _server.DisposeAsync();
        await _other.DisposeAsync();
    }

    private Task<HandlerResult> Run(string parametersJson, OutboundPolicy? policy = null, string? tenant = null)
    {
        policy ??= TestNode.LoopbackTestServers;
        var client = OutboundHttp.CreateClient(policy);
        _clients.Add(client);
        return new HttpHandler(client, HttpHandlerTests.Secrets, policy).ExecuteAsync(Context("http", parametersJson, tenant: tenant), CancellationToken.None);
    }

    private static string Json(string s) => JsonSerializer.Serialize(s);

    [Theory]
    [InlineData("http://127.0.0.1:{port}/x", "127.0.0.1 is a loopback address")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}/x", "is a loopback address")]
    [InlineData("http://localhost:{port}/x", "is a loopback address")]
    [InlineData("http://0.0.0.0:{port}/x", "0.0.0.0 is an unspecified address")]
    [InlineData("http://10.0.0.1/x", "10.0.0.1 is a private (RFC 1918) address")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data", "fd00:ec2::254 is a unique-local IPv6 address")]
    public async Task The_production_policy_refuses_non_public_addresses_before_sending(string url, string reason)
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() =>
            Run($$"""{"url":{{Json(url.Replace("{port}", _server.Port.ToString()))}}}""", OutboundPolicy.Default));

        Assert.Equal(("address-denied", false), (ex.Kind, ex.Retryable));
        Assert.Contains(reason, ex.Message);
        Assert.Contains("akka.jobs.http.allow-networks", ex.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task The_cloud_metadata_address_is_refused_naming_host_and_class()
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run("""{"url":"http://169.254.169.254/latest/meta-data"}""", OutboundPolicy.Default));

        Assert.Equal("address-denied", ex.Kind);
        Assert.Equal("http://169.254.169.254/latest/meta-data: 169.254.169.254 is a link-local address; outbound requests to private, "
            + "loopback and link-local addresses are refused (akka.jobs.http.allow-networks)", ex.Message);
    }

    [Fact]
    public async Task A_redirect_from_an_allowed_server_to_the_metadata_address_is_refused_at_connect()
    {
        var url = _server.Url("/redirect?to=" + Uri.EscapeDataString("http://169.254.169.254/latest/meta-data/iam"));

        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$"""{"url":{{Json(url)}},"followRedirects":true}"""));

        Assert.Equal(("address-denied", false), (ex.Kind, ex.Retryable));
        Assert.StartsWith("http://169.254.169.254/latest/meta-data/iam: 169.254.169.254 is a link-local address", ex.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_without_followRedirects_and_names_the_location()
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() =>
            Run($$"""{"url":{{Json(_server.Url("/redirect?to=%2Fhello"))}}}"""));

        Assert.Equal(("http-redirect", false), (ex.Kind, ex.Retryable));
        Assert.Contains($"HTTP 302 to {_server.Url("/hello")}", ex.Message);
        Assert.Contains("parameters.followRedirects", ex.Message);
    }

    [Fact]
    public async Task A_same_origin_redirect_is_followed_with_its_credentials()
    {
        var result = await Run($$"""{"url":{{Json(_server.Url("/redirect?to=%2Fecho"))}},"followRedirects":true,"bearerTokenSecret":"token"}""");

        Assert.Equal("HTTP 200\nauth=Bearer *** key=", result.Output);
        Assert.Equal(["/redirect", "/echo"], _server.Requests.Select(r => r.Path));
        Assert.All(_server.Requests, r => Assert.Equal("Bearer token-0123456789", r.Authorization));
    }

    [Fact]
    public async Task A_cross_origin_redirect_is_followed_without_any_of_the_jobs_headers()
    {
        var to = Uri.EscapeDataString(_other.Url("/echo"));
        var result = await Run($$$"""
            {"url":{{{Json(_server.Url("/redirect?status=307&to=" + to))}}},"followRedirects":true,"bearerTokenSecret":"token",
             "headers":{"X-Api-Key":{"secret":"api-key"},"X-Trace":"abc","Cookie":"session=literal-cookie","X-Token":"literal-key"}}
            """);

        Assert.Equal("HTTP 200\nauth= key=", result.Output);
        Assert.Equal("abc", Assert.Single(_server.Requests).Headers["X-Trace"]);
        var hop = Assert.Single(_other.Requests);
        Assert.Null(hop.Authorization);
        Assert.Empty(hop.Headers.Keys.Intersect(["X-Api-Key", "X-Trace", "Cookie", "X-Token"], StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_cross_origin_307_or_308_that_would_resend_the_body_is_refused(int status)
    {
        var to = Uri.EscapeDataString(_other.Url("/echo"));
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$$"""
            {"method":"POST","url":{{{Json(_server.Url($"/redirect?status={status}&to=" + to))}}},"followRedirects":true,
             "body":{"password":"in-the-body"}}
            """));

        Assert.Equal(("http-redirect", false), (ex.Kind, ex.Retryable));
        Assert.Contains("body is not sent to another origin", ex.Message);
        Assert.Empty(_other.Requests);
    }

    [Fact]
    public async Task A_same_origin_307_resends_the_body()
    {
        var result = await Run($$$"""
            {"method":"POST","url":{{{Json(_server.Url("/redirect?status=307&to=%2Fecho"))}}},"followRedirects":true,"body":{"a":1}}
            """);

        Assert.StartsWith("HTTP 200", result.Output);
        Assert.Equal(["{\"a\":1}", "{\"a\":1}"], _server.Requests.Select(r => r.Body));
    }

    [Fact]
    public async Task Redirects_stop_after_five()
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => Run($$"""{"url":{{Json(_server.Url("/redirect"))}},"followRedirects":true}"""));

        Assert.Equal("http-redirect", ex.Kind);
        Assert.Contains($"more than {HttpHandler.MaxRedirects} redirects", ex.Message);
        Assert.Equal(HttpHandler.MaxRedirects + 1, _server.Requests.Count);
    }

    [Fact]
    public async Task Cookies_a_server_sets_are_not_sent_back()
    {
        var policy = TestNode.LoopbackTestServers;
        using var client = OutboundHttp.CreateClient(policy);
        var handler = new HttpHandler(client, HttpHandlerTests.Secrets, policy);

        await handler.ExecuteAsync(Context("http", $$"""{"url":{{Json(_server.Url("/set-cookie"))}}}"""), CancellationToken.None);
        await handler.ExecuteAsync(Context("http", $$"""{"url":{{Json(_server.Url("/after"))}}}"""), CancellationToken.None);

        Assert.Equal(2, _server.Requests.Count);
        Assert.All(_server.Requests, r => Assert.False(r.Headers.ContainsKey("Cookie")));
    }

    [Fact]
    public async Task Allow_hosts_limit_every_job_and_a_tenants_list_limits_its_jobs_further()
    {
        var policy = TestNode.LoopbackTestServers with
        {
            AllowHosts = ["127.0.0.1", "*.example.com"],
            TenantAllowHosts = new Dictionary<string, IReadOnlyList<string>> { ["acme"] = ["api.example.com"] },
        };
        var url = $$"""{"url":{{Json(_server.Url("/hello"))}}}""";

        await Run(url, policy);
        var other = await Assert.ThrowsAsync<JobHandlerException>(() => Run("""{"url":"http://localhost:1/x"}""", policy));
        var acme = await Assert.ThrowsAsync<JobHandlerException>(() => Run(url, policy, tenant: "acme"));

        Assert.Equal(("address-denied", false), (other.Kind, other.Retryable));
        Assert.Contains("host 'localhost' is not in akka.jobs.http.allow-hosts", other.Message);
        Assert.Equal("address-denied", acme.Kind);
        Assert.Contains("host '127.0.0.1' is not in akka.jobs.tenants.acme.http.allow-hosts", acme.Message);
        Assert.Single(_server.Requests);
    }
}
