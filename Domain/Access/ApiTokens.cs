using System.Security.Cryptography;
using System.Text;

namespace Akka.Jobs.Domain.Access;

/// <summary>One configured bearer token. Only its SHA-256 is kept, so a memory dump or a log of the options shows no token.</summary>
public sealed record ApiToken(string Name, Role Role, byte[] Sha256, IReadOnlySet<string>? Tenants = null)
{
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Never the hash: options may be printed.</summary>
    public override string ToString() => $"{Name} ({Roles.Name(Role)}{(Tenants is null ? "" : $", tenants {string.Join(",", Tenants)}")})";
}

/// <summary>The configured tokens. <see cref="Authenticate"/> compares in constant time against every token.</summary>
public sealed class ApiTokens(IReadOnlyList<ApiToken> tokens)
{
    public static readonly ApiTokens None = new([]);

    public IReadOnlyList<ApiToken> All { get; } = tokens;

    /// <summary>No token configured: the API serves anonymous callers (and must listen on loopback only).</summary>
    public bool IsOpen => All.Count == 0;

    /// <summary>
    /// The caller a presented token belongs to, or null. The presented value is hashed first and compared with
    /// every configured hash with <see cref="CryptographicOperations.FixedTimeEquals"/>, without stopping at a
    /// match, so neither the token's content nor its position in the list shows in the time taken.
    /// </summary>
    public Caller? Authenticate(string presented)
    {
        var hash = ApiToken.Hash(presented);
        ApiToken? match = null;
        foreach (var token in All)
            if (CryptographicOperations.FixedTimeEquals(hash, token.Sha256)) match ??= token;
        return match is null ? null : new Caller(match.Name, match.Role, match.Tenants);
    }
}
