using System.Net;
using System.Net.Sockets;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;
using static Akka.Jobs.Tests.CliTests.CliRunner;

namespace Akka.Jobs.Tests.CliTests;

/// <summary>A node with tokens: 401 without or with a wrong token, 403 for a viewer's change; the token is never printed.</summary>
public sealed class TokenNodeFixture : IAsyncLifetime
{
    public const string ViewerToken = "viewer-token-0123456789";
    public const string AdminToken = "admin-token-0123456789ab";
    private TestNode? _node;

    public TestNode Node => _node ?? throw new InvalidOperationException("node not started");

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(tokens: new ApiTokens(
    [
        new ApiToken("viewer", Role.Viewer, ApiToken.Hash(ViewerToken)),
        new ApiToken("admin", Role.Admin, ApiToken.Hash(AdminToken)),
    ]));

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
    }
}

public sealed class CliErrorTests(TokenNodeFixture fixture) : IClassFixture<TokenNodeFixture>
{
    private string Endpoint => fixture.Node.Http.BaseAddress!.ToString();

    [Fact]
    public async Task No_token_is_401_with_the_servers_error_and_a_hint()
    {
        var result = await Run(Endpoint, "jobs", "list");
        AssertExit(1, result);
        Assert.Equal("akka-jobs: unauthorized: missing or unknown bearer token: send 'Authorization: Bearer <token>' (pass --token or set AKKA_JOBS_TOKEN)",
            result.Err.Trim());
    }

    [Fact]
    public async Task Wrong_token_is_401_and_not_printed()
    {
        var result = await Run(Endpoint, "--token", "wrong-token-0123456789", "cluster", "show");
        AssertExit(1, result);
        Assert.StartsWith("akka-jobs: unauthorized: missing or unknown bearer token", result.Err);
        Assert.DoesNotContain("wrong-token", result.Err + result.Out);
    }

    [Fact]
    public async Task Viewer_token_reads_but_a_change_is_403()
    {
        var list = await Run(Endpoint, "--token", TokenNodeFixture.ViewerToken, "jobs", "list");
        AssertExit(0, list);

        var add = await Run(["--endpoint", Endpoint, "jobs", "trigger", "nope"], env: n => n == "AKKA_JOBS_TOKEN" ? TokenNodeFixture.ViewerToken : null);
        AssertExit(1, add);
        Assert.StartsWith("akka-jobs: forbidden: ", add.Err);
        Assert.Single(add.Err.Trim().Split('\n'));
        Assert.DoesNotContain(TokenNodeFixture.ViewerToken, add.Err + add.Out);
    }

    [Fact]
    public async Task Endpoint_and_token_come_from_the_environment()
    {
        var env = new Dictionary<string, string> { ["AKKA_JOBS_ENDPOINT"] = Endpoint, ["AKKA_JOBS_TOKEN"] = TokenNodeFixture.AdminToken };
        var result = await Run(["cluster", "leader"], env: n => env.GetValueOrDefault(n));
        AssertExit(0, result);
        Assert.Equal(fixture.Node.Address, result.Out.Trim());
    }

    [Fact]
    public async Task Unreachable_endpoint_is_one_line_and_exit_1()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var result = await Run($"http://127.0.0.1:{port}", "jobs", "list");
        AssertExit(1, result);
        Assert.Equal($"akka-jobs: cannot reach http://127.0.0.1:{port} (connection refused)", result.Err.Trim());
        Assert.Equal("", result.Out);
    }
}
