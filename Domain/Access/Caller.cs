namespace Akka.Jobs.Domain.Access;

/// <summary>
/// Who is asking: a configured token's name and role, with the tenants it is limited to (null: every tenant, and jobs
/// without one). A tenant-limited caller sees and changes only jobs whose tenant is in its list.
/// </summary>
public sealed record Caller(string Name, Role Role, IReadOnlySet<string>? Tenants = null)
{
    /// <summary>The caller when no token is configured: the API then listens on loopback only, for the node's own user.</summary>
    public static readonly Caller Anonymous = new("anonymous", Role.Admin);

    public bool Has(Role needed) => Role >= needed;

    /// <summary>Whether a job of <paramref name="tenant"/> is visible to this caller.</summary>
    public bool CanReach(string? tenant) => TenantScope.Allows(Tenants, tenant);

    /// <summary>The tenants to send with a command, so the actor that decides it checks the stored job's tenant; null when unlimited.</summary>
    public IReadOnlyList<string>? Scope => Tenants?.Order().ToList();

    /// <summary>Why a call needing <paramref name="needed"/> is refused, or null when it is allowed.</summary>
    public string? Refusal(Role needed, string action) =>
        Has(needed) ? null : $"token '{Name}' has role {Roles.Name(Role)}; '{action}' needs {Roles.Name(needed)}";
}
