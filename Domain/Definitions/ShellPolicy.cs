using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Domain.Definitions;

/// <summary>
/// What one node lets the <c>shell</c> handler do (<c>akka.jobs.shell</c>): whether it runs at all, for which
/// tenants, which users a job may run as, and which of the node's own environment variables a program sees. The
/// scheduler's node checks a definition against its policy at registration; the node that runs an attempt checks
/// again, because nodes of one cluster can be configured differently.
/// </summary>
public sealed record ShellPolicy
{
    /// <summary>Shell allowed for jobs without a tenant only, as no user but the node's, with no node variable passed through.</summary>
    public static readonly ShellPolicy Default = new();

    /// <summary><c>akka.jobs.shell.enabled</c>: off refuses every shell job.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// <c>akka.jobs.shell.tenants</c>: tenants whose jobs may use shell (<c>*</c>: every tenant); jobs without a tenant always may.
    /// Null: no tenant's job. A tenant-limited admin must not be able to read the node's files and other tenants' secrets
    /// through a program running as the node's user unless the operator chose to trust that tenant.
    /// </summary>
    public IReadOnlySet<string>? Tenants { get; init; }

    /// <summary><c>akka.jobs.shell.run-as</c>: the users a job may name in <c>parameters.runAs</c>.</summary>
    public IReadOnlySet<string> RunAs { get; init; } = new HashSet<string>();

    /// <summary><c>akka.jobs.shell.pass-env</c>: node variables a program sees besides the basic ones.</summary>
    public IReadOnlyList<string> PassEnv { get; init; } = [];

    /// <summary>Why this node refuses <paramref name="d"/>; empty when it allows it (and for other handlers).</summary>
    public IReadOnlyList<ValidationError> Check(JobDefinition d)
    {
        if (d.Handler != HandlerParameterValidation.Shell) return [];
        if (!Enabled)
            return [new ValidationError("handler", "the shell handler is disabled on this node (akka.jobs.shell.enabled = off)")];
        if (!Access.TenantScope.Grants(Tenants, d.Tenant))
            return [new ValidationError("handler", $"the shell handler is not open to tenant '{d.Tenant}' on this node: a shell job runs as the node's " +
                "user and can read what it can, so each tenant is allowed explicitly (akka.jobs.shell.tenants, \"*\" for all)")];
        if (d.Parameters.GetString(HandlerParameterValidation.RunAs) is { } user && !RunAs.Contains(user))
            return [new ValidationError($"parameters.{HandlerParameterValidation.RunAs}", $"'{user}' is not a user this node lets jobs run as " +
                $"(akka.jobs.shell.run-as: {(RunAs.Count == 0 ? "none" : string.Join(", ", RunAs.Order()))})")];
        return [];
    }
}
