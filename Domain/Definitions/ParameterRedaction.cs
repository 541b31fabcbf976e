using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Domain.Definitions;

/// <summary>
/// What a caller below admin sees of a job's parameters: a handler declares which of its parameters are safe to show
/// (a command, a URL, a method); every other value reads <see cref="Hidden"/>, since parameters are where inline
/// credentials end up. Names of headers and environment variables stay visible with their values hidden, and a
/// <c>{"secret": "name"}</c> reference stays as it is (it names a secret, it is not one). A URL keeps its scheme, host
/// and path; its user info and query values are hidden.
/// </summary>
public static class ParameterRedaction
{
    /// <summary>What a hidden value reads.</summary>
    public const string Hidden = "***";

    /// <summary>Parameters of the built-in handlers that are shown to everyone; headers and env show their names.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> BuiltInSafe = new Dictionary<string, IReadOnlySet<string>>
    {
        [HandlerParameterValidation.Shell] = new HashSet<string> { "command", "args", "workingDirectory", "runAs", "env" },
        [HandlerParameterValidation.Http] = new HashSet<string> { "method", "url", "contentType", "followRedirects", "bearerTokenSecret", "headers" },
    };

    /// <summary>Parameters whose value is an object of names to values: the names are shown, the values hidden.</summary>
    private static readonly HashSet<string> NamedValues = ["headers", "env"];

    /// <summary>The definition with every parameter value not in <paramref name="safe"/> hidden.</summary>
    public static JobDefinition Redact(JobDefinition definition, IReadOnlySet<string> safe) =>
        definition with { Parameters = Redact(definition.Parameters, safe) };

    /// <summary>The parameters with every value not in <paramref name="safe"/> hidden; a non-object is hidden whole.</summary>
    public static JsonElement Redact(JsonElement parameters, IReadOnlySet<string> safe)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
            return parameters.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? parameters : JsonSerializer.SerializeToElement(Hidden);
        var shown = new JsonObject();
        foreach (var p in parameters.EnumerateObject())
            shown[p.Name] = !safe.Contains(p.Name) ? Hide(p.Value)
                : NamedValues.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.Object ? NamesOnly(p.Value)
                : p.Name == "url" && p.Value.ValueKind == JsonValueKind.String ? JsonValue.Create(RedactUrl(p.Value.GetString()!))
                : JsonNode.Parse(p.Value.GetRawText());
        return JsonSerializer.SerializeToElement(shown);
    }

    /// <summary>
    /// A URL without its user info and query values: <c>https://***@host/path?key=***</c>; a bare query token (<c>?TOKEN</c>,
    /// often a credential itself) reads <c>?***</c>.
    /// </summary>
    public static string RedactUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return Hidden;
        var b = new UriBuilder(uri) { UserName = uri.UserInfo.Length > 0 ? Hidden : "", Password = "" };
        if (uri.Query.Length > 1)
            b.Query = string.Join('&', uri.Query[1..].Split('&').Select(pair => pair.Split('=', 2) is [var name, _] ? $"{name}={Hidden}" : pair.Length == 0 ? pair : Hidden));
        b.Fragment = "";
        return b.Uri.AbsoluteUri;
    }

    private static JsonNode NamesOnly(JsonElement values)
    {
        var shown = new JsonObject();
        foreach (var v in values.EnumerateObject())
            shown[v.Name] = Secrets.SecretReferences.IsReference(v.Value, out var name) && name is not null ? new JsonObject { ["secret"] = name } : Hide(v.Value);
        return shown;
    }

    private static JsonNode? Hide(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : JsonValue.Create(Hidden);
}
