using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Jobs.Domain.Definitions;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// Reads <c>akka.jobs.shell</c> into the node's <see cref="ShellPolicy"/>:
/// <c>enabled = on|off</c>, <c>tenants = [ … ]</c>, <c>run-as = [ user, … ]</c>, <c>pass-env = [ NAME, … ]</c>.
/// A misspelt key is an error rather than silently ignored: each one loosens or tightens what jobs may do.
/// </summary>
public static partial class ShellConfig
{
    private const string Section = "akka.jobs.shell";
    private static readonly string[] Keys = ["enabled", "tenants", "run-as", "pass-env"];

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();

    [GeneratedRegex("^[a-z_][a-z0-9_.-]{0,31}$")]
    private static partial Regex UserName();

    public static ShellPolicy Read(Config config)
    {
        if (!config.HasPath(Section)) return ShellPolicy.Default;
        var value = config.GetValue(Section);
        if (!value.IsObject()) throw new ConfigException($"{Section}: must be an object {{ enabled, tenants, run-as, pass-env }}");
        var unknown = value.GetObject().Items.Keys.FirstOrDefault(k => !Keys.Contains(k));
        if (unknown is not null) throw new ConfigException($"{Section}.{unknown}: unknown key (known: {string.Join(", ", Keys)})");
        var c = config.GetConfig(Section);

        var policy = ShellPolicy.Default;
        if (c.HasPath("enabled"))
        {
            var text = c.GetString("enabled");
            policy = policy with
            {
                Enabled = text switch
                {
                    "on" or "true" or "yes" => true,
                    "off" or "false" or "no" => false,
                    _ => throw new ConfigException($"{Section}.enabled: '{text}' is not on or off"),
                },
            };
        }
        if (c.HasPath("tenants"))
        {
            var tenants = List(c, "tenants", t => !string.IsNullOrWhiteSpace(t), "a tenant name");
            if (tenants.Count == 0) throw new ConfigException($"{Section}.tenants: an empty list is the default (no tenant's job may use shell); leave it out, or list \"*\" to allow every tenant");
            policy = policy with { Tenants = tenants.ToHashSet(StringComparer.Ordinal) };
        }
        if (c.HasPath("run-as"))
            policy = policy with { RunAs = List(c, "run-as", UserName().IsMatch, "a user name such as nobody").ToHashSet(StringComparer.Ordinal) };
        if (c.HasPath("pass-env"))
        {
            var names = List(c, "pass-env", VariableName().IsMatch, "an environment variable name such as HTTP_PROXY");
            // The node's own settings (the database, the API tokens) must never reach a job, not even by a broad pass-env.
            if (names.FirstOrDefault(n => n.StartsWith("AKKA_JOBS_", StringComparison.OrdinalIgnoreCase)) is { } own)
                throw new ConfigException($"{Section}.pass-env: '{own}' is a node setting; AKKA_JOBS_* variables are never passed to programs (the run variables are set per attempt)");
            if (SecretVariables(config).FirstOrDefault(v => names.Contains(v.Variable)) is { Variable: not null } held)
                throw new ConfigException($"{Section}.pass-env: '{held.Variable}' holds secret '{held.Secret}'; a secret reaches a program only as "
                    + $"env {{ NAME = {{ secret = {held.Secret} }} }}, where the secret's tenants apply");
            policy = policy with { PassEnv = names.Distinct(StringComparer.Ordinal).ToList() };
        }
        return policy;
    }

    /// <summary>The variables that hold named secrets (<c>akka.jobs.secrets.&lt;name&gt;.env</c>, and its <c>_FILE</c> form).</summary>
    private static IEnumerable<(string Variable, string Secret)> SecretVariables(Config config)
    {
        if (!config.HasPath("akka.jobs.secrets") || config.GetValue("akka.jobs.secrets") is not { } root || !root.IsObject()) yield break;
        foreach (var (name, value) in root.GetObject().Items)
            if (value.IsObject() && value.GetObject().Items.TryGetValue("env", out var env) && env.IsString() && env.GetString() is { Length: > 0 } variable)
            {
                yield return (variable, name);
                yield return (variable + "_FILE", name);
            }
    }

    private static List<string> List(Config c, string key, Func<string, bool> valid, string what)
    {
        List<string> items;
        try
        {
            items = c.GetStringList(key).ToList();
        }
        catch (Exception ex) when (ex is not ConfigException)
        {
            throw new ConfigException($"{Section}.{key}: must be a list of strings ({ex.Message})");
        }
        foreach (var item in items)
            if (string.IsNullOrEmpty(item) || !valid(item))
                throw new ConfigException($"{Section}.{key}: '{item}' is not {what}");
        return items;
    }
}
