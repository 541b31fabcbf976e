using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Definitions;

namespace Akka.Jobs.Domain.Secrets;

/// <summary>A place in a definition's parameters that names a secret, and the host the value would be sent to (null: none).</summary>
public sealed record SecretReference(string Field, string Name, string? Host);

/// <summary>
/// Finds the secrets a definition names, so the scheduler can refuse one the job may not use before storing it; the
/// handler checks the same again before each attempt (the configuration may have changed since). A value is either a
/// string or <c>{ "secret": "name" }</c>. Knows the http handler's <c>bearerTokenSecret</c> and <c>headers</c> and the shell handler's <c>env</c>; a
/// handler that takes secrets elsewhere adds its case to <see cref="Of"/>.
/// </summary>
public static partial class SecretReferences
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();

    /// <summary>A secret name: letters, digits, <c>-</c> and <c>_</c>, up to 64, as a HOCON key under <c>akka.jobs.secrets</c>.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>Whether <paramref name="value"/> has the form <c>{ "secret": … }</c>; <paramref name="name"/> is the named string, if it is one.</summary>
    public static bool IsReference(JsonElement value, out string? name)
    {
        name = null;
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("secret", out var s)) return false;
        name = s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        return true;
    }

    /// <summary>The well-formed references of a definition's parameters (the shape is checked by <see cref="HandlerParameterValidation"/>).</summary>
    public static IReadOnlyList<SecretReference> Of(string handler, JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object) return [];
        if (handler == HandlerParameterValidation.Shell) return ShellEnv(parameters);
        if (handler != HandlerParameterValidation.Http) return [];
        var host = HandlerParameterValidation.TryParseUrl(parameters.GetString("url"), out var url) ? url.IdnHost : null;
        var result = new List<SecretReference>();
        if (parameters.GetString("bearerTokenSecret") is { } bearer && IsValidName(bearer))
            result.Add(new SecretReference("parameters.bearerTokenSecret", bearer, host));
        if (HandlerParameterValidation.TryGet(parameters, "headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
            foreach (var h in headers.EnumerateObject())
                if (IsReference(h.Value, out var name) && IsValidName(name))
                    result.Add(new SecretReference($"parameters.headers.{h.Name}", name!, host));
        return result;
    }

    /// <summary>A shell job's <c>env</c> values that name secrets; the value goes to a program, not to a host.</summary>
    private static IReadOnlyList<SecretReference> ShellEnv(JsonElement parameters)
    {
        if (!HandlerParameterValidation.TryGet(parameters, "env", out var env) || env.ValueKind != JsonValueKind.Object) return [];
        var result = new List<SecretReference>();
        foreach (var e in env.EnumerateObject())
            if (IsReference(e.Value, out var name) && IsValidName(name))
                result.Add(new SecretReference($"parameters.env.{e.Name}", name!, Host: null));
        return result;
    }

    /// <summary>One error per reference the job may not use (unknown secret, other tenant, other host).</summary>
    public static IReadOnlyList<ValidationError> Check(JobDefinition d, ISecretStore secrets) =>
        Of(d.Handler ?? "", d.Parameters)
            .Select(r => secrets.Deny(r.Name, d.Tenant, r.Host) is { } why ? new ValidationError(r.Field, why) : null)
            .OfType<ValidationError>()
            .ToList();
}
