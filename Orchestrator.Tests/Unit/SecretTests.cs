using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Secrets;
using Xunit;
using static Akka.Jobs.Tests.Handlers.HandlerTestSupport;

namespace Akka.Jobs.Tests.Unit;

public sealed class SecretTests
{
    private static readonly SecretStore Store = new([
        new Secret("open", "open-value-1"),
        new Secret("acme", "acme-value-1", tenants: new HashSet<string> { "acme" }),
        new Secret("hooks", "hooks-value-1", hosts: ["hooks.example.com", "*.corp.example"]),
    ]);

    [Theory]
    [InlineData("token is s3cr3t-value here", "token is *** here")]
    [InlineData("s3cr3t-value and s3cr3t-value", "*** and ***")]
    [InlineData("{\"auth\":\"a\\\"b-quoted\"}", "{\"auth\":\"***\"}")]
    [InlineData("GET /x?k=a%22b-quoted", "GET /x?k=***")]
    [InlineData("cr3t-value at the start of a tail", "*** at the start of a tail")]
    [InlineData("a body cut at s3cr3t…", "a body cut at ***…")]
    [InlineData("nothing to hide", "nothing to hide")]
    [InlineData("lue and s3c are too short to hide", "lue and s3c are too short to hide")]
    public void Mask_hides_values_their_escaped_forms_and_pieces_cut_at_the_edges(string text, string expected) =>
        Assert.Equal(expected, SecretMask.Apply(text, ["s3cr3t-value", "a\"b-quoted"]));

    [Fact]
    public void Mask_replaces_a_value_containing_another_whole() =>
        Assert.Equal("x *** y", SecretMask.Apply("x abcd-efgh-ijkl y", ["efgh", "abcd-efgh-ijkl"]));

    [Fact]
    public void The_store_resolves_allowed_uses_and_names_the_secret_and_reason_otherwise()
    {
        Assert.True(Store.TryResolve("open", null, null, out var value, out _));
        Assert.Equal("open-value-1", value);
        Assert.True(Store.TryResolve("acme", "acme", "x.example", out _, out _));
        Assert.True(Store.TryResolve("hooks", null, "a.corp.example", out _, out _));

        Assert.Equal("unknown secret 'nope' (configure akka.jobs.secrets.nope)", Store.Deny("nope", null, null));
        Assert.Equal("secret 'acme' is not available to tenant 'beta' (akka.jobs.secrets.acme.tenants lists the tenants whose jobs may use it, \"*\" for all)",
            Store.Deny("acme", "beta", null));
        // A secret that lists no tenants is for jobs without a tenant (only unlimited tokens define those); "*" opens it to every tenant.
        Assert.NotNull(Store.Deny("open", "beta", null));
        Assert.True(new SecretStore([new Secret("all", "all-value-1", tenants: new HashSet<string> { "*" })]).TryResolve("all", "beta", null, out _, out _));
        Assert.Equal("secret 'hooks' may not be sent to host 'evil.example' (akka.jobs.secrets.hooks.hosts)", Store.Deny("hooks", null, "evil.example"));
        Assert.Contains("may only be sent in http requests", Store.Deny("hooks", null, null));
        Assert.False(Store.TryResolve("acme", "beta", null, out var none, out var error));
        Assert.Null(none);
        Assert.DoesNotContain("acme-value-1", error);
    }

    [Fact]
    public void A_secret_never_prints_its_value() =>
        Assert.Equal("secret 'open'", new Secret("open", "open-value-1").ToString());

    [Fact]
    public void Registration_check_refuses_references_the_job_may_not_use_naming_the_field()
    {
        var d = new JobDefinition
        {
            Id = "j",
            Schedule = "manual",
            Handler = "http",
            Tenant = "beta",
            Parameters = Json("""
                {"url":"https://evil.example/x","bearerTokenSecret":"acme","headers":{"X-A":{"secret":"hooks"},"X-B":{"secret":"open"},"X-C":{"secret":"nope"}}}
                """),
        };

        var errors = DefinitionCheck.Validate(d, ["http"], ShellPolicy.Default, DateTimeOffset.UnixEpoch, isNew: true, Store);

        Assert.Equal(["parameters.bearerTokenSecret", "parameters.headers.X-A", "parameters.headers.X-B", "parameters.headers.X-C"], errors.Select(e => e.Field));
        Assert.Empty(DefinitionCheck.Validate(d with { Tenant = "acme", Parameters = Json("""{"url":"https://hooks.example.com","bearerTokenSecret":"acme"}""") },
            ["http"], ShellPolicy.Default, DateTimeOffset.UnixEpoch, isNew: true, Store));
    }
}
