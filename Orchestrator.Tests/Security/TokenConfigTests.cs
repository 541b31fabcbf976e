using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Configuration;
using Xunit;

namespace Akka.Jobs.Tests.Security;

/// <summary>Reading API tokens from HOCON, the environment and a file; checking a presented token; the loopback rule.</summary>
public sealed class TokenConfigTests
{
    private const string Secret = "0123456789abcdef-secret";

    private static ApiTokens Read(string hocon, params (string Key, string Value)[] env)
    {
        var vars = env.ToDictionary(v => v.Key, v => v.Value);
        return TokenConfig.Read(ConfigurationFactory.ParseString(hocon), k => vars.GetValueOrDefault(k));
    }

    [Fact]
    public void Tokens_come_from_hocon_the_environment_and_a_file_and_only_their_hashes_are_kept()
    {
        var file = Path.GetTempFileName();
        try
        {
            var sha = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("file-token-0123456789"))).ToLowerInvariant();
            File.WriteAllText(file, $$"""[{ name = from-file, role = viewer, sha256 = "{{sha}}" }]""");
            var tokens = Read($$"""akka.jobs.api.tokens = [ { name = ci, role = operator, token = "{{Secret}}", tenants = [a, b] } ]""",
                ("AKKA_JOBS_API_TOKENS", """[{"name":"from-env","role":"admin","token":"env-token-0123456789"}]"""),
                ("AKKA_JOBS_API_TOKENS_FILE", file));

            Assert.Equal(["ci", "from-env", "from-file"], tokens.All.Select(t => t.Name));
            Assert.Equal(new Caller("ci", Role.Operator, new HashSet<string> { "a", "b" }).ToString(), tokens.Authenticate(Secret)!.ToString());
            Assert.Equal(Role.Admin, tokens.Authenticate("env-token-0123456789")!.Role);
            Assert.Equal("from-file", tokens.Authenticate("file-token-0123456789")!.Name);
            Assert.Null(tokens.Authenticate(Secret + " "));
            Assert.Null(tokens.Authenticate(""));
            Assert.DoesNotContain(Secret, string.Join(",", tokens.All.Select(t => t.ToString())));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("""[{ role = admin, token = "0123456789abcdef" }]""", "[0].name: required")]
    [InlineData("""[{ name = x, role = root, token = "0123456789abcdef" }]""", "[0] ('x').role: must be one of viewer, operator, admin")]
    [InlineData("""[{ name = x, role = "2", token = "0123456789abcdef" }]""", "role: must be one of")]
    [InlineData("""[{ name = x, role = admin }]""", "give exactly one of token")]
    [InlineData("""[{ name = x, role = admin, token = "0123456789abcdef", sha256 = "00" }]""", "give exactly one of token")]
    [InlineData("""[{ name = x, role = admin, token = "short" }]""", ".token: must be at least 16 characters")]
    [InlineData("""[{ name = x, role = admin, sha256 = "abc" }]""", ".sha256: must be 64 hex digits")]
    [InlineData("""[{ name = x, role = admin, token = "0123456789abcdef", tenants = [] }]""", ".tenants: an empty list")]
    [InlineData("""[{ name = x, role = admin, token = "0123456789abcdef", tenant = a }]""", "unknown field 'tenant'")]
    [InlineData("""[{ name = x, role = admin, token = "0123456789abcdef" }, { name = x, role = viewer, token = "fedcba9876543210" }]""", "the name 'x' is used by 2 tokens")]
    [InlineData("""[{ name = x, role = admin, token = "0123456789abcdef" }, { name = y, role = viewer, token = "0123456789abcdef" }]""", "'x', 'y' have the same secret")]
    [InlineData("""{ name = x }""", "must be a list")]
    public void A_bad_token_entry_is_a_config_error_naming_it_without_the_secret(string list, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => Read($"akka.jobs.api.tokens = {list}"));
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("0123456789abcdef", ex.Message);
    }

    [Fact]
    public void Unparsable_environment_tokens_are_named_without_quoting_them()
    {
        foreach (var text in new[] { "[{ \"name\": \"x\", \"token\": \"s3cr3t-s3cr3t-s3cr3t", "{{{ s3cr3t-s3cr3t-s3cr3t", "s3cr3t-s3cr3t-s3cr3t" })
        {
            var ex = Assert.Throws<ConfigException>(() => Read("", ("AKKA_JOBS_API_TOKENS", text)));
            Assert.StartsWith("AKKA_JOBS_API_TOKENS", ex.Message);
            Assert.DoesNotContain("s3cr3t", ex.Message);
        }
        Assert.Contains("does not exist", Assert.Throws<ConfigException>(() => Read("", ("AKKA_JOBS_API_TOKENS_FILE", "/nonexistent/tokens.json"))).Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://127.0.0.5:8080", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://10.1.2.3:8080", false)]
    [InlineData("https://jobs.example.com", false)]
    public void Only_a_loopback_api_may_run_without_tokens(string url, bool loopback) =>
        Assert.Equal(loopback, NodeConfigLoader.IsLoopback(new Uri(url)));

    [Fact]
    public void A_node_with_a_non_loopback_api_and_no_token_refuses_to_start_with_one_line()
    {
        var ex = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(new NodeArguments(Http: "http://0.0.0.0:8080"), _ => null));
        Assert.Equal("http: the API would listen on 0.0.0.0 with no token configured; set akka.jobs.api.tokens (or AKKA_JOBS_API_TOKENS) or listen on 127.0.0.1", ex.Message);
        var options = NodeConfigLoader.Load(new NodeArguments(Http: "http://0.0.0.0:8080"),
            k => k == "AKKA_JOBS_API_TOKENS" ? """[{"name":"a","role":"admin","token":"0123456789abcdef"}]""" : null);
        Assert.False(options.Tokens.IsOpen);
        // Kestrel reads "a;b" as two URLs: only one is allowed, so the second cannot slip past the check.
        var two = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(new NodeArguments(Http: "http://127.0.0.1:8080/;http://0.0.0.0:8081"), _ => null));
        Assert.Contains("must be one URL", two.Message);
    }

    [Fact]
    public void Roles_include_the_ones_below_them()
    {
        Assert.True(new Caller("a", Role.Admin).Has(Role.Operator));
        Assert.True(new Caller("o", Role.Operator).Has(Role.Viewer));
        Assert.False(new Caller("v", Role.Viewer).Has(Role.Operator));
        Assert.Null(new Caller("o", Role.Operator).Refusal(Role.Operator, "jobs.trigger"));
        Assert.Equal("token 'v' has role viewer; 'runs.cancel' needs operator", new Caller("v", Role.Viewer).Refusal(Role.Operator, "runs.cancel"));
        var teamA = new Caller("t", Role.Admin, new HashSet<string> { "a" });
        Assert.True(teamA.CanReach("a"));
        Assert.False(teamA.CanReach("b"));
        Assert.False(teamA.CanReach(null));
        Assert.True(Caller.Anonymous.CanReach(null));
    }
}
