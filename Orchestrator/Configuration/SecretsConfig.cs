using Akka.Configuration;
using Akka.Configuration.Hocon;
using Akka.Jobs.Domain.Outbound;
using Akka.Jobs.Domain.Secrets;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// Reads <c>akka.jobs.secrets</c>: <c>name { env = "VAR" }</c> or <c>name { file = "/run/secrets/x" }</c>, optionally
/// <c>tenants = [..]</c> and <c>hosts = [..]</c>. An unset <c>VAR</c> falls back to the file named by <c>VAR_FILE</c>
/// (the container secrets convention); trailing line breaks of a value are dropped. Values are read once, at start, and
/// kept in memory only; every error names the secret and the variable or file, never the value.
/// </summary>
public static class SecretsConfig
{
    /// <summary>Shorter values would hide unrelated text wherever outputs are masked.</summary>
    public const int MinValueLength = 4;

    private static readonly HashSet<string> Fields = ["env", "file", "tenants", "hosts"];

    public static SecretStore Read(Config config, Func<string, string?> env)
    {
        if (!config.HasPath("akka.jobs.secrets")) return SecretStore.Empty;
        var root = config.GetValue("akka.jobs.secrets");
        if (!root.IsObject()) throw new ConfigException("akka.jobs.secrets: must be an object of name = { env = \"VAR\" } or { file = \"/path\" }");
        return new SecretStore(root.GetObject().Items.Select(kv => ReadOne(kv.Key, kv.Value, env)).ToList());
    }

    private static Secret ReadOne(string name, HoconValue value, Func<string, string?> env)
    {
        var key = $"akka.jobs.secrets.{name}";
        if (!SecretReferences.IsValidName(name)) throw new ConfigException($"{key}: a secret name has 1-64 letters, digits, - and _");
        if (!value.IsObject()) throw new ConfigException($"{key}: must be an object {{ env = \"VAR\" }} or {{ file = \"/path\" }}");
        var o = value.GetObject();
        if (o.Items.Keys.FirstOrDefault(k => !Fields.Contains(k)) is { } unknown)
            throw new ConfigException($"{key}: unknown field '{unknown}' (known: {string.Join(", ", Fields)})");
        string? Text(string field) => o.Items.TryGetValue(field, out var v) && v.IsString() ? v.GetString() : null;

        var variable = Text("env");
        var file = Text("file");
        if (string.IsNullOrWhiteSpace(variable) == string.IsNullOrWhiteSpace(file))
            throw new ConfigException($"{key}: give exactly one of env (an environment variable) or file (a path)");
        var secret = variable is not null ? FromEnvironment(key, variable, env) : SecretFile.Read(file!, $"{key}.file");
        secret = secret.TrimEnd('\r', '\n');
        if (secret.Length < MinValueLength)
            throw new ConfigException($"{key}: the value of {(variable is not null ? $"'{variable}'" : $"'{file}'")} is {(secret.Length == 0 ? "empty" : $"shorter than {MinValueLength} characters (it would be masked in unrelated text)")}");

        IReadOnlySet<string>? tenants = null;
        if (o.Items.TryGetValue("tenants", out var t))
        {
            tenants = HoconLists.Strings(t, $"{key}.tenants", "tenant names").ToHashSet(StringComparer.Ordinal);
            if (tenants.Count == 0) throw new ConfigException($"{key}.tenants: an empty list would allow no tenant's job; leave it out for that, or list \"*\" to allow every tenant");
        }
        IReadOnlyList<string>? hosts = null;
        if (o.Items.TryGetValue("hosts", out var h))
        {
            hosts = HoconLists.Strings(h, $"{key}.hosts", "host names such as api.example.com or *.example.com");
            if (hosts.Count == 0) throw new ConfigException($"{key}.hosts: an empty list would allow no request; leave it out to allow every host");
            if (hosts.FirstOrDefault(p => !HostPattern.IsValid(p)) is { } bad)
                throw new ConfigException($"{key}.hosts: '{bad}' is not a host name such as api.example.com or *.example.com");
        }
        return new Secret(name, secret, tenants, hosts);
    }

    private static string FromEnvironment(string key, string variable, Func<string, string?> env)
    {
        if (env(variable) is { Length: > 0 } value) return value;
        if (env(variable + "_FILE") is { Length: > 0 } file) return SecretFile.Read(file, $"{key}.env ({variable}_FILE)");
        throw new ConfigException($"{key}.env: environment variable '{variable}' is not set (nor {variable}_FILE naming a file that holds the value)");
    }
}
