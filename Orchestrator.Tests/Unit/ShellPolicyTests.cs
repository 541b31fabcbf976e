using System.Text.Json;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Definitions;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

/// <summary>Registration checks a definition against the shell policy of the scheduler's node.</summary>
public sealed class ShellPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    private static JobDefinition Shell(string? tenant = null, string? runAs = null) => new()
    {
        Id = "job",
        Schedule = "manual",
        Handler = "shell",
        Tenant = tenant,
        Parameters = JsonSerializer.SerializeToElement(runAs is null ? new { command = "/bin/true" } : (object)new { command = "/bin/true", runAs }),
    };

    private static IReadOnlyList<ValidationError> Validate(JobDefinition d, ShellPolicy policy) =>
        DefinitionCheck.Validate(d, ["shell", "noop"], policy, Now, isNew: true);

    [Fact]
    public void Disabled_shell_refuses_shell_jobs_naming_the_handler_and_the_setting()
    {
        var error = Assert.Single(Validate(Shell(), new ShellPolicy { Enabled = false }));

        Assert.Equal("handler", error.Field);
        Assert.Contains("akka.jobs.shell.enabled = off", error.Message);
        Assert.Empty(Validate(Shell() with { Handler = "noop" }, new ShellPolicy { Enabled = false }));
    }

    [Fact]
    public void Shell_is_open_to_the_tenants_the_node_lists_and_always_to_jobs_without_one()
    {
        var policy = new ShellPolicy { Tenants = new HashSet<string> { "ops" } };

        Assert.Empty(Validate(Shell("ops"), policy));
        Assert.Equal("handler", Assert.Single(Validate(Shell("web"), policy)).Field);
        Assert.Empty(Validate(Shell(), policy));
        // By default no tenant's job may run programs as the node's user; "*" opens shell to every tenant.
        Assert.Contains("akka.jobs.shell.tenants", Assert.Single(Validate(Shell("web"), ShellPolicy.Default)).Message);
        Assert.Empty(Validate(Shell(), ShellPolicy.Default));
        Assert.Empty(Validate(Shell("web"), new ShellPolicy { Tenants = new HashSet<string> { "*" } }));
    }

    [Fact]
    public void RunAs_must_be_listed_by_the_node()
    {
        var error = Assert.Single(Validate(Shell(runAs: "nobody"), ShellPolicy.Default));

        Assert.Equal("parameters.runAs", error.Field);
        Assert.Contains("akka.jobs.shell.run-as", error.Message);
        Assert.Empty(Validate(Shell(runAs: "nobody"), new ShellPolicy { RunAs = new HashSet<string> { "nobody" } }));
    }

    [Fact]
    public void RunAs_that_is_not_a_user_name_is_reported_once()
    {
        var error = Assert.Single(Validate(Shell(runAs: "--init-groups"), ShellPolicy.Default));

        Assert.Equal("parameters.runAs", error.Field);
        Assert.Contains("user name", error.Message);
    }
}
