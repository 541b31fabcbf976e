namespace Akka.Jobs.Domain.Outbound;

/// <summary>
/// Host names in allow-lists (<c>akka.jobs.http.allow-hosts</c>, a secret's <c>hosts</c>): an exact name
/// (<c>api.example.com</c>, or an IP literal) or <c>*.</c> and a domain, which matches every name below that domain
/// but not the domain itself. Case-insensitive; a trailing dot is ignored.
/// </summary>
public static class HostPattern
{
    /// <summary>Whether the pattern is usable: a name, or <c>*.</c> followed by one, without scheme, port or path.</summary>
    public static bool IsValid(string pattern)
    {
        var name = pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern[2..] : pattern;
        return name.Length > 0 && !name.Contains('*') && (Uri.CheckHostName(name.Trim('[', ']')) != UriHostNameType.Unknown);
    }

    public static bool Matches(string pattern, string host)
    {
        host = Normalize(host);
        pattern = Normalize(pattern);
        return pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(pattern[1..], StringComparison.Ordinal) && host.Length > pattern.Length - 1
            : host == pattern;
    }

    public static bool MatchesAny(IEnumerable<string> patterns, string host) => patterns.Any(p => Matches(p, host));

    /// <summary>The form hosts are compared in: lower case, no trailing dot, IPv6 without brackets.</summary>
    public static string Normalize(string host) => host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
}
