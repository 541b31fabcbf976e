using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Domain.Definitions;

/// <summary>
/// Checks the parameters of the built-in <c>shell</c> and <c>http</c> handlers, so the scheduler can reject a
/// bad definition before persisting it. The handlers run the same checks before each attempt.
/// Fields are named <c>parameters.&lt;name&gt;</c>.
/// </summary>
public static partial class HandlerParameterValidation
{
    /// <summary>The name the built-in shell handler is registered under.</summary>
    public const string Shell = "shell";

    /// <summary>The <c>shell</c> parameter naming the user the program runs as.</summary>
    public const string RunAs = "runAs";

    /// <summary>The name the built-in http handler is registered under.</summary>
    public const string Http = "http";

    [GeneratedRegex("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")]
    private static partial Regex TokenPattern();

    /// <summary>A login name as useradd accepts it (and nothing a command line could read as an option).</summary>
    [GeneratedRegex("^[a-z_][a-z0-9_.-]{0,31}$")]
    private static partial Regex UserNamePattern();

    /// <summary>
    /// The problems of <paramref name="parameters"/> for the built-in handler <paramref name="handler"/>;
    /// empty for a handler whose parameters this class does not know.
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(string handler, JsonElement parameters) => handler switch
    {
        Shell => ValidateShell(parameters),
        Http => ValidateHttp(parameters),
        _ => [],
    };

    /// <summary>Problems of a <c>shell</c> parameters object: <c>command</c>, <c>args</c>, <c>env</c>, <c>workingDirectory</c>, <c>runAs</c>.</summary>
    public static IReadOnlyList<ValidationError> ValidateShell(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
            return [new ValidationError("parameters", "must be a JSON object")];

        var errors = new List<ValidationError>();
        if (string.IsNullOrWhiteSpace(parameters.GetString("command")))
            errors.Add(new ValidationError("parameters.command", "is required: the program to run (a path or a name found on PATH)"));

        if (TryGet(parameters, "args", out var args))
        {
            if (args.ValueKind != JsonValueKind.Array)
                errors.Add(new ValidationError("parameters.args", "must be an array of strings"));
            else
            {
                var i = 0;
                foreach (var a in args.EnumerateArray())
                {
                    if (a.ValueKind != JsonValueKind.String)
                        errors.Add(new ValidationError($"parameters.args[{i}]", $"must be a string, got {Describe(a)}"));
                    i++;
                }
            }
        }

        if (TryGet(parameters, "env", out var env))
        {
            if (env.ValueKind != JsonValueKind.Object)
                errors.Add(new ValidationError("parameters.env", "must be an object of names to string, number or boolean values or { \"secret\": \"<name>\" }"));
            else
            {
                foreach (var p in env.EnumerateObject())
                {
                    if (p.Name.Length == 0 || p.Name.Contains('='))
                        errors.Add(new ValidationError("parameters.env", $"'{p.Name}' is not a valid environment variable name"));
                    else if (Secrets.SecretReferences.IsReference(p.Value, out var secret))
                    {
                        if (p.Value.EnumerateObject().Count() != 1 || !Secrets.SecretReferences.IsValidName(secret))
                            errors.Add(new ValidationError($"parameters.env.{p.Name}", "must be { \"secret\": \"<name>\" } naming a secret of akka.jobs.secrets"));
                    }
                    else if (p.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
                        errors.Add(new ValidationError($"parameters.env.{p.Name}", $"must be a string, number, boolean or {{ \"secret\": \"<name>\" }}, got {Describe(p.Value)}"));
                }
            }
        }

        if (TryGet(parameters, "workingDirectory", out var wd) && (wd.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(wd.GetString())))
            errors.Add(new ValidationError("parameters.workingDirectory", "must be a non-empty string"));

        if (TryGet(parameters, RunAs, out var user) && (user.ValueKind != JsonValueKind.String || !UserNamePattern().IsMatch(user.GetString()!)))
            errors.Add(new ValidationError($"parameters.{RunAs}", $"must be a user name such as nobody, got {Describe(user)}"));

        return errors;
    }

    /// <summary>
    /// Problems of an <c>http</c> parameters object: <c>method</c>, <c>url</c>, <c>headers</c> (each a string or
    /// <c>{ "secret": name }</c>), <c>body</c>, <c>contentType</c>, <c>bearerTokenSecret</c>, <c>followRedirects</c>.
    /// Only the shape of a secret reference is checked here; whether the job may use it is <see cref="Secrets.SecretReferences.Check"/>.
    /// </summary>
    public static IReadOnlyList<ValidationError> ValidateHttp(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
            return [new ValidationError("parameters", "must be a JSON object")];

        var errors = new List<ValidationError>();
        if (TryGet(parameters, "method", out var method) &&
            (method.ValueKind != JsonValueKind.String || !TokenPattern().IsMatch(method.GetString()!)))
            errors.Add(new ValidationError("parameters.method", $"must be an HTTP method such as GET or POST, got {Describe(method)}"));

        var url = parameters.GetString("url");
        if (string.IsNullOrWhiteSpace(url))
            errors.Add(new ValidationError("parameters.url", "is required: an absolute http or https URL"));
        else if (!TryParseUrl(url, out _))
            errors.Add(new ValidationError("parameters.url", $"'{url}' is not an absolute http or https URL"));

        if (TryGet(parameters, "headers", out var headers))
        {
            if (headers.ValueKind != JsonValueKind.Object)
                errors.Add(new ValidationError("parameters.headers", "must be an object of header names to string values"));
            else
            {
                foreach (var h in headers.EnumerateObject())
                {
                    if (!TokenPattern().IsMatch(h.Name))
                        errors.Add(new ValidationError("parameters.headers", $"'{h.Name}' is not a valid header name"));
                    else if (Secrets.SecretReferences.IsReference(h.Value, out var secret))
                    {
                        if (h.Value.EnumerateObject().Count() != 1 || !Secrets.SecretReferences.IsValidName(secret))
                            errors.Add(new ValidationError($"parameters.headers.{h.Name}", "must be { \"secret\": \"<name>\" } naming a secret of akka.jobs.secrets"));
                    }
                    else if (h.Value.ValueKind != JsonValueKind.String)
                        errors.Add(new ValidationError($"parameters.headers.{h.Name}", $"must be a string or {{ \"secret\": \"<name>\" }}, got {Describe(h.Value)}"));
                    else if (h.Value.GetString()!.AsSpan().IndexOfAny('\r', '\n') >= 0)
                        errors.Add(new ValidationError($"parameters.headers.{h.Name}", "must not contain line breaks"));
                }
            }
        }

        if (TryGet(parameters, "body", out var body) &&
            body.ValueKind is not (JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
            errors.Add(new ValidationError("parameters.body", $"must be a string (sent as is) or a JSON object or array (sent as application/json), got {Describe(body)}"));

        if (TryGet(parameters, "contentType", out var ct) &&
            (ct.ValueKind != JsonValueKind.String || !MediaTypeHeaderValue.TryParse(ct.GetString(), out _)))
            errors.Add(new ValidationError("parameters.contentType", $"must be a media type such as text/plain or application/xml; charset=utf-8, got {Describe(ct)}"));

        if (TryGet(parameters, "bearerTokenSecret", out var bearer))
        {
            if (bearer.ValueKind != JsonValueKind.String || !Secrets.SecretReferences.IsValidName(bearer.GetString()))
                errors.Add(new ValidationError("parameters.bearerTokenSecret", $"must name a secret of akka.jobs.secrets (letters, digits, - and _), got {Describe(bearer)}"));
            else if (headers.ValueKind == JsonValueKind.Object && headers.EnumerateObject().Any(h => h.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
                errors.Add(new ValidationError("parameters.bearerTokenSecret", "conflicts with parameters.headers.Authorization; give one of them"));
        }

        if (TryGet(parameters, "followRedirects", out var follow) && follow.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            errors.Add(new ValidationError("parameters.followRedirects", $"must be true or false, got {Describe(follow)}"));

        // Any variable of the node could be sent to any URL (the database connection string, cloud credentials), and
        // a message saying whether it is set would tell a caller which exist: the message is the same whatever the value.
        if (parameters.TryGetProperty("bearerTokenEnv", out _))
            errors.Add(new ValidationError("parameters.bearerTokenEnv", "is no longer supported: it could send any environment variable of the node; "
                + "configure a named secret (akka.jobs.secrets.<name> { env = \"VAR\" }) and use bearerTokenSecret"));

        return errors;
    }

    public static bool TryParseUrl(string? url, out Uri uri)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps))
        {
            uri = u;
            return true;
        }
        uri = null!;
        return false;
    }

    /// <summary>The property, unless absent or JSON null.</summary>
    public static bool TryGet(JsonElement parameters, string name, out JsonElement value) =>
        parameters.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"'{e.GetString()}'",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => e.GetRawText(),
    };
}
