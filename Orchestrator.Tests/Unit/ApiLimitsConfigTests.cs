using Akka.Configuration;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Security;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

/// <summary><c>akka.jobs.api.*</c> limits and <c>akka.jobs.engine.max-definition-size</c>: defaults, values, errors naming the key.</summary>
public sealed class ApiLimitsConfigTests
{
    private static ApiLimits Read(string hocon) => ApiLimitsConfig.Read(ConfigurationFactory.ParseString(hocon));

    [Fact]
    public void Defaults_are_256k_bodies_and_20_a_second_with_bursts_of_100()
    {
        var limits = Read("");
        Assert.Equal(256 * 1024, limits.MaxRequestBodyBytes);
        Assert.Equal(new RateLimit(20, 100), limits.RateLimit);
        Assert.Null(limits.AllowedHosts);
    }

    [Fact]
    public void Configured_values_are_read()
    {
        var limits = Read("""
            akka.jobs.api {
              max-request-body = 1m
              rate-limit { requests-per-second = 50, burst = 10 }
              allowed-hosts = ["jobs.example.com", "*.internal", "10.0.0.5"]
            }
            """);
        Assert.Equal(1024 * 1024, limits.MaxRequestBodyBytes);
        Assert.Equal(new RateLimit(50, 10), limits.RateLimit);
        Assert.Equal(["jobs.example.com", "*.internal", "10.0.0.5"], limits.AllowedHosts);
    }

    [Fact]
    public void Zero_requests_per_second_turns_the_limit_off_and_a_rate_alone_gets_five_seconds_of_burst()
    {
        Assert.True(Read("akka.jobs.api.rate-limit.requests-per-second = 0").RateLimit.IsOff);
        Assert.Equal(new RateLimit(40, 200), Read("akka.jobs.api.rate-limit.requests-per-second = 40").RateLimit);
    }

    [Theory]
    [InlineData("akka.jobs.api.max-request-body = lots", "akka.jobs.api.max-request-body")]
    [InlineData("akka.jobs.api.max-request-body = 10", "akka.jobs.api.max-request-body")]
    [InlineData("akka.jobs.api.max-request-body = 1g", "akka.jobs.api.max-request-body")]
    [InlineData("akka.jobs.api.rate-limit.requests-per-second = -1", "akka.jobs.api.rate-limit.requests-per-second")]
    [InlineData("akka.jobs.api.rate-limit.burst = many", "akka.jobs.api.rate-limit.burst")]
    [InlineData("akka.jobs.api.rate-limit { requests-per-second = 5, burst = 0 }", "akka.jobs.api.rate-limit.burst")]
    [InlineData("akka.jobs.api.allowed-hosts = []", "akka.jobs.api.allowed-hosts")]
    [InlineData("akka.jobs.api.allowed-hosts = [\"http://x/\"]", "akka.jobs.api.allowed-hosts")]
    [InlineData("akka.jobs.api.allowed-hosts = [\"a*b\"]", "akka.jobs.api.allowed-hosts")]
    public void A_bad_value_is_a_config_error_naming_the_key(string hocon, string key) =>
        Assert.StartsWith(key + ":", Assert.Throws<ConfigException>(() => Read(hocon)).Message);

    [Fact]
    public void Allowed_hosts_default_to_loopback_names_on_loopback_and_to_any_host_beyond_it()
    {
        Assert.Equal(RequestHygiene.LoopbackHosts, RequestHygiene.AllowedHosts(new NodeOptions { Http = "http://127.0.0.1:8080" }));
        Assert.Equal(RequestHygiene.LoopbackHosts, RequestHygiene.AllowedHosts(new NodeOptions { Http = "http://localhost:8080" }));
        Assert.Equal(["*"], RequestHygiene.AllowedHosts(new NodeOptions { Http = "http://0.0.0.0:8080" }));
        Assert.Equal(["a.example"], RequestHygiene.AllowedHosts(new NodeOptions { Http = "http://0.0.0.0:8080", ApiLimits = new ApiLimits { AllowedHosts = ["a.example"] } }));
    }

    [Fact]
    public void The_definition_size_is_read_from_the_engine_section_within_its_range()
    {
        var engine = ConfigurationFactory.ParseString("max-definition-size = 1m");
        Assert.Equal(1024 * 1024, EngineLimits.MaxDefinitionBytes(engine, 65_536));
        Assert.Equal(65_536, EngineLimits.MaxDefinitionBytes(Config.Empty, 65_536));
        var error = Assert.Throws<ConfigException>(() => EngineLimits.MaxDefinitionBytes(ConfigurationFactory.ParseString("max-definition-size = 1k"), 65_536));
        Assert.StartsWith("akka.jobs.engine.max-definition-size:", error.Message);
    }
}
