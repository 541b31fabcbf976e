using System.Net;
using Akka.Configuration;
using Akka.Jobs.Orchestrator.Configuration;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

/// <summary><c>akka.jobs.secrets</c> and <c>akka.jobs.http</c> as a node reads them at start.</summary>
public sealed class SecretsConfigTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"akka-jobs-secrets-{Guid.NewGuid():N}");

    public SecretsConfigTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string content)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static Func<string, string?> Env(params (string Key, string Value)[] vars) =>
        k => vars.FirstOrDefault(v => v.Key == k).Value;

    private static Config Hocon(string text) => ConfigurationFactory.ParseString(text);

    [Fact]
    public void Secrets_come_from_variables_files_and_VAR_FILE_with_trailing_line_breaks_dropped()
    {
        var file = File("from-file-value\n");
        var viaVarFile = File("via-var-file\r\n");
        var store = SecretsConfig.Read(Hocon($$"""
            akka.jobs.secrets {
              a { env = "A_TOKEN" }
              b { file = "{{file}}", tenants = [acme], hosts = ["api.example.com", "*.corp.example"] }
              c { env = "C_TOKEN" }
            }
            """), Env(("A_TOKEN", "from-env-value"), ("C_TOKEN_FILE", viaVarFile)));

        Assert.Equal(["a", "b", "c"], store.Names.Order());
        Assert.True(store.TryResolve("a", null, null, out var a, out _));
        Assert.Equal("from-env-value", a);
        Assert.True(store.TryResolve("b", "acme", "x.corp.example", out var b, out _));
        Assert.Equal("from-file-value", b);
        Assert.NotNull(store.Deny("b", "other", "api.example.com"));
        Assert.True(store.TryResolve("c", null, null, out var c, out _));
        Assert.Equal("via-var-file", c);
    }

    [Theory]
    [InlineData("db { env = \"MISSING_VAR\" }", "akka.jobs.secrets.db.env: environment variable 'MISSING_VAR' is not set")]
    [InlineData("db { file = \"/no/such/file\" }", "akka.jobs.secrets.db.file: file '/no/such/file' does not exist")]
    [InlineData("db { }", "akka.jobs.secrets.db: give exactly one of env")]
    [InlineData("db { env = \"SET_VAR\", file = \"/x\" }", "akka.jobs.secrets.db: give exactly one of env")]
    [InlineData("db { env = \"SET_VAR\", value = \"inline\" }", "akka.jobs.secrets.db: unknown field 'value'")]
    [InlineData("db { env = \"SHORT_VAR\" }", "akka.jobs.secrets.db: the value of 'SHORT_VAR' is shorter than 4 characters")]
    [InlineData("db { env = \"SET_VAR\", tenants = [] }", "akka.jobs.secrets.db.tenants: an empty list")]
    [InlineData("db { env = \"SET_VAR\", hosts = [\"https://x.example\"] }", "akka.jobs.secrets.db.hosts: 'https://x.example' is not a host name")]
    [InlineData("\"a.b\" { env = \"SET_VAR\" }", "a secret name has")]
    public void A_bad_secret_stops_the_node_naming_the_key_but_never_the_value(string entry, string message)
    {
        var ex = Assert.Throws<ConfigException>(() =>
            SecretsConfig.Read(Hocon($"akka.jobs.secrets {{ {entry} }}"), Env(("SET_VAR", "the-secret-value"), ("SHORT_VAR", "abc"))));

        Assert.Contains(message, ex.Message);
        Assert.DoesNotContain("the-secret-value", ex.Message);
        Assert.DoesNotContain("abc", ex.Message.Replace("akka", ""));
    }

    [Fact]
    public void Http_policy_reads_networks_hosts_and_tenant_hosts()
    {
        var policy = HttpPolicyConfig.Read(Hocon("""
            akka.jobs.http { allow-networks = ["10.1.0.0/16", "127.0.0.1", "fd00::/8"], allow-hosts = ["api.example.com", "*.corp.example"] }
            akka.jobs.tenants.acme.http.allow-hosts = ["api.example.com"]
            akka.jobs.tenants.beta { }
            """));

        Assert.Equal([IPNetwork.Parse("10.1.0.0/16"), IPNetwork.Parse("127.0.0.1/32"), IPNetwork.Parse("fd00::/8")], policy.AllowNetworks);
        Assert.Equal(["api.example.com", "*.corp.example"], policy.AllowHosts);
        Assert.Equal(["acme"], policy.TenantAllowHosts.Keys);
        Assert.Null(policy.DenyAddress(IPAddress.Parse("10.1.200.3")));
    }

    [Theory]
    [InlineData("akka.jobs.http.allow-networks = [\"10.1.2.3/16\"]", "akka.jobs.http.allow-networks: '10.1.2.3/16' is not a network")]
    [InlineData("akka.jobs.http.allow-networks = \"10.0.0.0/8\"", "akka.jobs.http.allow-networks: must be a list")]
    [InlineData("akka.jobs.http.allow-hosts = [\"*\"]", "akka.jobs.http.allow-hosts: '*' is not a host name")]
    [InlineData("akka.jobs.tenants.acme.http.allow-hosts = [\"a b\"]", "akka.jobs.tenants.acme.http.allow-hosts: 'a b' is not a host name")]
    public void A_bad_http_policy_stops_the_node_naming_the_key(string hocon, string message) =>
        Assert.Contains(message, Assert.Throws<ConfigException>(() => HttpPolicyConfig.Read(Hocon(hocon))).Message);

    [Fact]
    public void The_shipped_akka_hocon_keeps_the_production_http_policy()
    {
        var repo = AppContext.BaseDirectory;
        while (!System.IO.File.Exists(Path.Combine(repo, "Akka.Jobs.sln"))) repo = Path.GetDirectoryName(repo)!;

        var options = NodeConfigLoader.Load(new NodeArguments(Config: Path.Combine(repo, "akka.hocon")), Env());

        Assert.Empty(options.HttpPolicy.AllowNetworks);
        Assert.Empty(options.HttpPolicy.AllowHosts);
        Assert.Empty(options.HttpPolicy.TenantAllowHosts);
        Assert.Empty(options.Secrets.Names);
    }

    [Fact]
    public void The_node_options_carry_the_secrets_and_the_http_policy()
    {
        var path = File("""
            akka.jobs.secrets.hook { env = "HOOK_TOKEN" }
            akka.jobs.http.allow-networks = ["10.0.0.0/8"]
            akka.jobs.node.db = "Host=db.example;Username=jobs;Password=pg-password-value;Database=jobs"
            """);

        var options = NodeConfigLoader.Load(new NodeArguments(Config: path), Env(("HOOK_TOKEN", "hook-token-value")));

        Assert.Equal(["hook"], options.Secrets.Names);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8")], options.HttpPolicy.AllowNetworks);
        Assert.Contains("pg-password-value", options.Db);
        // A record prints its members: the store must not print values, nor Db its password.
        var printed = options.ToString();
        Assert.DoesNotContain("hook-token-value", printed);
        Assert.DoesNotContain("pg-password-value", printed);
        Assert.Contains("Db = PostgreSQL db.example:5432/jobs", printed);
        Assert.Contains("Port = 4053", printed); // the other members are still printed

        var target = Akka.Jobs.Persistence.DatabaseTarget.Parse(options.Db);
        Assert.DoesNotContain("pg-password-value", target.ToString());
        Assert.Contains("ConnectionString = ***", target.ToString());
        Assert.DoesNotContain("pg-secret", Akka.Jobs.Persistence.DatabaseTarget.Parse("postgres://jobs:pg-secret@db.example/jobs").ToString());
    }
}
