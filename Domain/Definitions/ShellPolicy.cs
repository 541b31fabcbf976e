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
    /// <summary>Shell allowed for every tenant, as no user but the node's, with no node variable passed through.</summary>
    public static readonly ShellPolicy Default = new();

    /// <summary><c>akka.jobs.shell.enabled</c>: off refuses every shell job.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>akka.jobs.shell.tenants</c>: only jobs of these tenants may use shell; null: every job.</summary>
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
        if (Tenants is not null && (d.Tenant is null || !Tenants.Contains(d.Tenant)))
            return [new ValidationError("handler", $"the shell handler is limited to the tenants {string.Join(", ", Tenants.Order())} on this node " +
                $"(akka.jobs.shell.tenants); this job's tenant is {(d.Tenant is null ? "not set" : $"'{d.Tenant}'")}")];
        if (d.Parameters.GetString(HandlerParameterValidation.RunAs) is { } user && !RunAs.Contains(user))
            return [new ValidationError($"parameters.{HandlerParameterValidation.RunAs}", $"'{user}' is not a user this node lets jobs run as " +
                $"(akka.jobs.shell.run-as: {(RunAs.Count == 0 ? "none" : string.Join(", ", RunAs.Order()))})")];
        return [];
    }
}
