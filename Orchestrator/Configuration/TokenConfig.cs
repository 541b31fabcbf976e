using Akka.Configuration;
using Akka.Configuration.Hocon;
using Akka.Jobs.Domain.Access;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// Reads the API's bearer tokens: <c>akka.jobs.api.tokens</c> in the HOCON file, plus the same list (JSON or HOCON)
/// from <c>AKKA_JOBS_API_TOKENS</c> or from the file named by <c>AKKA_JOBS_API_TOKENS_FILE</c> (container secrets).
/// Each entry: <c>{ name, role = viewer|operator|admin, token = "…" | sha256 = "&lt;64 hex&gt;", tenants = [ … ] }</c>.
/// Errors name the entry and field but never echo a token.
/// </summary>
public static class TokenConfig
{
    /// <summary>Shortest accepted plain token: shorter ones are guessable.</summary>
    public const int MinTokenLength = 16;

    public static ApiTokens Read(Config config, Func<string, string?> env)
    {
        var tokens = new List<ApiToken>();
        if (config.HasPath("akka.jobs.api.tokens")) tokens.AddRange(ReadList(config.GetValue("akka.jobs.api.tokens"), "akka.jobs.api.tokens"));
        if (env("AKKA_JOBS_API_TOKENS") is { Length: > 0 } inline) tokens.AddRange(ReadText(inline, "AKKA_JOBS_API_TOKENS"));
        if (env("AKKA_JOBS_API_TOKENS_FILE") is { Length: > 0 } file)
        {
            tokens.AddRange(ReadText(SecretFile.Read(file, "AKKA_JOBS_API_TOKENS_FILE"), $"AKKA_JOBS_API_TOKENS_FILE ({file})"));
        }
        var duplicate = tokens.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ConfigException($"api tokens: the name '{duplicate.Key}' is used by {duplicate.Count()} tokens; names must be unique (the audit log shows them)");
        var sameSecret = tokens.GroupBy(t => Convert.ToHexString(t.Sha256)).FirstOrDefault(g => g.Count() > 1);
        if (sameSecret is not null) throw new ConfigException($"api tokens: '{string.Join("', '", sameSecret.Select(t => t.Name))}' have the same secret; give each its own");
        return new ApiTokens(tokens);
    }

    private static IEnumerable<ApiToken> ReadText(string text, string source)
    {
        Config parsed;
        try
        {
            parsed = ConfigurationFactory.ParseString("tokens = " + text);
        }
        catch (Exception ex)
        {
            // The parser's message may quote the text, which holds secrets.
            throw new ConfigException($"{source}: not a list of tokens such as [{{\"name\":\"ci\",\"role\":\"operator\",\"sha256\":\"…\"}}] ({ex.GetType().Name})");
        }
        return ReadList(parsed.GetValue("tokens"), source);
    }

    private static List<ApiToken> ReadList(HoconValue value, string source)
    {
        if (!value.IsArray()) throw new ConfigException($"{source}: must be a list of {{ name, role, token | sha256, tenants }} objects");
        var result = new List<ApiToken>();
        var i = 0;
        foreach (var item in value.GetArray())
        {
            var where = $"{source}[{i++}]";
            if (!item.IsObject()) throw new ConfigException($"{where}: must be an object {{ name, role, token | sha256, tenants }}");
            result.Add(ReadOne(item.GetObject(), where));
        }
        return result;
    }

    private static ApiToken ReadOne(HoconObject o, string where)
    {
        string? Text(string key) => o.Items.TryGetValue(key, out var v) && v.IsString() ? v.GetString() : null;
        var known = new HashSet<string> { "name", "role", "token", "sha256", "tenants" };
        var unknown = o.Items.Keys.FirstOrDefault(k => !known.Contains(k));
        if (unknown is not null) throw new ConfigException($"{where}: unknown field '{unknown}' (known: {string.Join(", ", known)})");

        var name = Text("name");
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl))
            throw new ConfigException($"{where}.name: required, 1-100 printable characters (it names the caller in the audit log)");
        where = $"{where} ('{name}')";
        if (!Roles.TryParse(Text("role"), out var role))
            throw new ConfigException($"{where}.role: must be one of viewer, operator, admin");

        var token = Text("token");
        var sha = Text("sha256");
        if ((token is null) == (sha is null))
            throw new ConfigException($"{where}: give exactly one of token (the secret) or sha256 (its SHA-256 as 64 hex digits)");
        byte[] hash;
        if (token is not null)
        {
            if (token.Length < MinTokenLength || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                throw new ConfigException($"{where}.token: must be at least {MinTokenLength} characters without spaces (e.g. openssl rand -hex 32)");
            hash = ApiToken.Hash(token);
        }
        else
        {
            if (sha!.Length != 64 || !sha.All(Uri.IsHexDigit))
                throw new ConfigException($"{where}.sha256: must be 64 hex digits (e.g. printf %s \"$TOKEN\" | sha256sum)");
            hash = Convert.FromHexString(sha);
        }

        IReadOnlySet<string>? tenants = null;
        if (o.Items.TryGetValue("tenants", out var list))
        {
            // HOCON does not call `[ ]` an array (it holds the empty array and the whitespace after it); GetArray reads both.
            var items = list.IsArray() || list.Values.Any(v => v is HoconArray) ? list.GetArray() : null;
            if (items is null || items.Any(v => !v.IsString() || string.IsNullOrWhiteSpace(v.GetString())))
                throw new ConfigException($"{where}.tenants: must be a list of tenant names");
            tenants = items.Select(v => v.GetString()).ToHashSet(StringComparer.Ordinal);
            if (tenants.Count == 0) throw new ConfigException($"{where}.tenants: an empty list would reach no job; leave it out to reach every tenant");
        }
        return new ApiToken(name, role, hash, tenants);
    }
}
