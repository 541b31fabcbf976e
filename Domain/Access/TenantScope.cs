using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Domain.Access;

/// <summary>
/// Which jobs a caller limited to tenants may see and change. Decided where the job's stored tenant is known (the
/// scheduler, the job actor), so nothing can change between the check and the change.
/// </summary>
public static class TenantScope
{
    /// <summary>Whether a job of <paramref name="tenant"/> is within <paramref name="scope"/> (null: every job, with or without a tenant).</summary>
    public static bool Allows(IReadOnlyCollection<string>? scope, string? tenant) => scope is null || (tenant is not null && scope.Contains(tenant));

    /// <summary>In a list of granted tenants (of a secret, of the shell handler): every tenant.</summary>
    public const string Everyone = "*";

    /// <summary>
    /// Whether a resource granted to <paramref name="granted"/> may be used by a job of <paramref name="tenant"/>. Jobs without a
    /// tenant (only unlimited tokens define them) may always; a tenant's job only when the tenant, or <see cref="Everyone"/>,
    /// is listed. Nothing listed opens nothing to tenants: a deployment that has tenants grants each resource explicitly.
    /// </summary>
    public static bool Grants(IReadOnlySet<string>? granted, string? tenant) =>
        tenant is null || (granted is not null && (granted.Contains(Everyone) || granted.Contains(tenant)));

    /// <summary>
    /// Whether <paramref name="definition"/> may be stored over <paramref name="stored"/> (null: a new id) by a caller limited
    /// to <paramref name="scope"/>: its tenant must be within the scope; an id another tenant holds is taken (the caller
    /// learns nothing more about it); and a job's tenant never changes while it exists, since its runs, history and
    /// audit trail belong to that tenant.
    /// </summary>
    public static CommandRejected? Own(JobDefinition definition, JobDefinition? stored, IReadOnlyCollection<string>? scope)
    {
        var id = definition.Id;
        if (!Allows(scope, definition.Tenant))
            return new(id, RejectionKind.Invalid, [new ValidationError("tenant",
                definition.Tenant is null ? $"is required: one of {string.Join(", ", scope!.Order())}" : $"'{definition.Tenant}' is not one of the caller's tenants")]);
        if (stored is null) return null;
        if (!Allows(scope, stored.Tenant))
            return new(id, RejectionKind.Conflict, [new ValidationError("id", $"job id '{id}' is taken")]);
        if (stored.Tenant != definition.Tenant)
            return new(id, RejectionKind.Conflict, [new ValidationError("tenant",
                $"job '{id}' belongs to {Describe(stored.Tenant)}; a job's tenant cannot change: remove the job and define it again")]);
        return null;
    }

    private static string Describe(string? tenant) => tenant is null ? "no tenant" : $"tenant '{tenant}'";
}
