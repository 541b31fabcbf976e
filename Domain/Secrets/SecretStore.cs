using System.Diagnostics.CodeAnalysis;

namespace Akka.Jobs.Domain.Secrets;

/// <summary>
/// One named secret. A class, not a record: a record's generated ToString would print the value into any log line
/// or exception message that formats it.
/// </summary>
public sealed class Secret(string name, string value, IReadOnlySet<string>? tenants = null, IReadOnlyList<string>? hosts = null)
{
    public string Name { get; } = name;
    public string Value { get; } = value;
    /// <summary>Tenants whose jobs may use it (<c>*</c>: every tenant); jobs without a tenant always may. Null: no tenant's job.</summary>
    public IReadOnlySet<string>? Tenants { get; } = tenants;
    /// <summary>Only requests to these hosts (patterns, see <see cref="Outbound.HostPattern"/>) may carry it; null: any use.</summary>
    public IReadOnlyList<string>? Hosts { get; } = hosts;

    public override string ToString() => $"secret '{Name}'";
}

/// <summary>The secrets read from the node's configuration, kept in memory only.</summary>
public sealed class SecretStore : ISecretStore
{
    /// <summary>No secrets: every reference is refused, nothing is masked.</summary>
    public static readonly SecretStore Empty = new([]);

    private readonly Dictionary<string, Secret> _secrets;
    private readonly SecretMask _mask;

    public SecretStore(IEnumerable<Secret> secrets)
    {
        _secrets = secrets.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _mask = new SecretMask(_secrets.Values.Select(s => s.Value));
    }

    public IReadOnlyCollection<string> Names => _secrets.Keys;

    public string? Deny(string name, string? tenant, string? host)
    {
        if (!_secrets.TryGetValue(name, out var s))
            return $"unknown secret '{name}' (configure akka.jobs.secrets.{name})";
        if (!Access.TenantScope.Grants(s.Tenants, tenant))
            return $"secret '{name}' is not available to tenant '{tenant}' (akka.jobs.secrets.{name}.tenants lists the tenants whose jobs may use it, \"*\" for all)";
        if (s.Hosts is not null && host is null)
            return $"secret '{name}' may only be sent in http requests to its hosts (akka.jobs.secrets.{name}.hosts)";
        if (s.Hosts is not null && !Outbound.HostPattern.MatchesAny(s.Hosts, host!))
            return $"secret '{name}' may not be sent to host '{host}' (akka.jobs.secrets.{name}.hosts)";
        return null;
    }

    public bool TryResolve(string name, string? tenant, string? host, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
    {
        error = Deny(name, tenant, host);
        value = error is null ? _secrets[name].Value : null;
        return error is null;
    }

    public string Mask(string text) => _mask.Apply(text);
}
