using Xunit;
using static Akka.Jobs.Tests.CliTests.CliRunner;

namespace Akka.Jobs.Tests.CliTests;

/// <summary>Bad arguments exit 2 with a one-line reason and a pointer to --help; nothing is sent.</summary>
public sealed class CliUsageTests
{
    private static async Task<(CliResult Result, FakeApi Api)> RunFake(params string[] args)
    {
        var api = new FakeApi();
        return (await Run(args, handler: api), api);
    }

    [Theory]
    [InlineData("jobs")]
    [InlineData("jobs", "frobnicate")]
    [InlineData("jobs", "show")]
    [InlineData("jobs", "list", "--status", "sleepy")]
    [InlineData("jobs", "runs", "x", "--limit", "0")]
    [InlineData("jobs", "runs", "x", "--status", "done")]
    [InlineData("jobs", "next", "x", "-n", "many")]
    [InlineData("jobs", "pause", "x", "--until", "tomorrowish")]
    [InlineData("jobs", "add")]
    [InlineData("audit", "--since", "yesterday")]
    [InlineData("--output", "xml", "jobs", "list")]
    [InlineData("cluster", "down", "not-an-address")]
    [InlineData("cluster", "join")]
    [InlineData("cluster-sharding", "region-stats", "-r", "scheduler")]
    public async Task Bad_arguments_exit_2_and_send_nothing(params string[] args)
    {
        var (result, api) = await RunFake(args);
        AssertExit(2, result);
        Assert.StartsWith("akka-jobs: ", result.Err);
        Assert.Contains("--help'.", result.Err);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Bad_endpoint_is_a_usage_error()
    {
        var result = await Run(["--endpoint", "ftp://x", "jobs", "list"]);
        AssertExit(2, result);
        Assert.Equal("akka-jobs: --endpoint: 'ftp://x' is not an http(s) URL such as http://127.0.0.1:8080", result.Err.Trim());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("jobs", "--help")]
    [InlineData("jobs", "add", "--help")]
    [InlineData("cluster", "--help")]
    [InlineData("cluster", "tail", "-h")]
    [InlineData("cluster-sharding", "--help")]
    [InlineData("runs", "rerun", "--help")]
    [InlineData("audit", "--help")]
    [InlineData("run", "--help")]
    public async Task Help_at_every_level_exits_0(params string[] args)
    {
        var (result, api) = await RunFake(args);
        AssertExit(0, result);
        Assert.Contains("Usage:", result.Out);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task Requests_carry_the_user_agent_and_the_token_and_the_default_endpoint()
    {
        var api = new FakeApi().Reply("GET /api/jobs", System.Net.HttpStatusCode.OK, "[]");
        var result = await Run(["jobs", "list"], env: n => n == "AKKA_JOBS_TOKEN" ? "secret-token-0123456789" : null, handler: api);
        AssertExit(0, result);
        Assert.Equal("No jobs.", result.Out.Trim());
        var request = Assert.Single(api.Requests);
        Assert.Equal("Bearer secret-token-0123456789", request.Authorization);
        Assert.Equal("akka-jobs-cli/1", request.UserAgent);
    }
}
