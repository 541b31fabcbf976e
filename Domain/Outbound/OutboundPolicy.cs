using System.Net;

namespace Akka.Jobs.Domain.Outbound;

/// <summary>
/// Where the http handler may connect (<c>akka.jobs.http</c>). Addresses that are not public (loopback, private,
/// link-local — the cloud metadata service —, unique-local, …) are refused unless inside one of
/// <see cref="AllowNetworks"/>. A non-empty <see cref="AllowHosts"/> limits every job to those hosts; a tenant's
/// list (<c>akka.jobs.tenants.&lt;t&gt;.http.allow-hosts</c>) limits that tenant's jobs further: a host must pass both.
/// </summary>
public sealed record OutboundPolicy
{
    /// <summary>The production default: public addresses only, any host.</summary>
    public static readonly OutboundPolicy Default = new();

    public IReadOnlyList<IPNetwork> AllowNetworks { get; init; } = [];
    public IReadOnlyList<string> AllowHosts { get; init; } = [];
    public IReadOnlyDictionary<string, IReadOnlyList<string>> TenantAllowHosts { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Why a connection to the resolved <paramref name="address"/> is refused, or null.</summary>
    public string? DenyAddress(IPAddress address)
    {
        var inner = AddressClassifier.Unwrap(address);
        if (AllowNetworks.Any(n => n.Contains(address) || n.Contains(inner))) return null;
        var c = AddressClassifier.Classify(address);
        return c == AddressClass.Public
            ? null
            : $"{address} is {AddressClassifier.Describe(c)}; outbound requests to private, loopback and link-local addresses are refused (akka.jobs.http.allow-networks)";
    }

    /// <summary>Why a job of <paramref name="tenant"/> may not call <paramref name="host"/> at all, or null.</summary>
    public string? DenyHost(string host, string? tenant)
    {
        if (AllowHosts.Count > 0 && !HostPattern.MatchesAny(AllowHosts, host))
            return $"host '{HostPattern.Normalize(host)}' is not in akka.jobs.http.allow-hosts";
        if (tenant is not null && TenantAllowHosts.TryGetValue(tenant, out var own) && !HostPattern.MatchesAny(own, host))
            return $"host '{HostPattern.Normalize(host)}' is not in akka.jobs.tenants.{tenant}.http.allow-hosts";
        return null;
    }
}
