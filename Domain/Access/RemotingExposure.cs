using System.Net;

namespace Akka.Jobs.Domain.Access;

/// <summary>
/// Who may reach a node's remoting port decides what it must demand of them. Akka.Remote trusts every peer that
/// completes its handshake: a peer can join as a member and send any message (a shell job to a worker), bypassing the
/// API's tokens and audit. So a port beyond loopback needs mutual TLS, unless the operator says the network does it.
/// </summary>
public static class RemotingExposure
{
    public const string PlainScheme = "akka.tcp://";

    /// <summary>With TLS, Akka.Remote's transport is <c>ssl.tcp</c>: the members' addresses use this scheme.</summary>
    public const string TlsScheme = "akka.ssl.tcp://";

    public enum Verdict
    {
        /// <summary>Loopback, or mutual TLS: nothing to say.</summary>
        Allowed,

        /// <summary>Plain text beyond loopback because the operator allowed it: start, with a warning in the log.</summary>
        PlaintextAllowedByOperator,

        /// <summary>Plain text beyond loopback: refuse to start.</summary>
        Refused,
    }

    /// <summary>Whether only this machine can connect to <paramref name="host"/>: 127.0.0.0/8, ::1 or localhost.</summary>
    public static bool IsLoopbackHost(string host)
    {
        var h = host.Trim().Trim('[', ']');
        return string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(h, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>The verdict for a node listening on <paramref name="bindHost"/> (an empty host means every interface).</summary>
    public static Verdict Decide(string bindHost, bool tls, bool allowPlaintext) =>
        tls || IsLoopbackHost(bindHost) ? Verdict.Allowed
        : allowPlaintext ? Verdict.PlaintextAllowedByOperator
        : Verdict.Refused;

    /// <summary>
    /// A seed in the scheme the node speaks: people write <c>akka.tcp://…</c> for "the node at host:port" whether or not
    /// the cluster uses TLS, and a seed in the other scheme would never be reached. Null: not an address of either scheme.
    /// </summary>
    public static string? SeedFor(string seed, bool tls)
    {
        string rest;
        if (seed.StartsWith(PlainScheme, StringComparison.Ordinal)) rest = seed[PlainScheme.Length..];
        else if (seed.StartsWith(TlsScheme, StringComparison.Ordinal)) rest = seed[TlsScheme.Length..];
        else return null;
        return (tls ? TlsScheme : PlainScheme) + rest;
    }
}
