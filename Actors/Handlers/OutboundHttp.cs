using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Akka.Jobs.Domain.Outbound;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// The http handler's client. It resolves each host itself and connects only to addresses the policy allows, so the
/// check holds for the address actually used: a name that resolves to 127.0.0.1 or 169.254.169.254, a redirect, and
/// DNS rebinding between a check and the connect are all covered. No proxy (the check would see the proxy, not the
/// target), no cookie container (one job's cookies would reach another's requests), no automatic redirects (the
/// handler follows them itself, see <see cref="HttpHandler"/>).
/// </summary>
public static class OutboundHttp
{
    public static HttpClient CreateClient(OutboundPolicy policy) => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectCallback = (context, ct) => ConnectAsync(policy, context.DnsEndPoint, ct),
    });

    private static async ValueTask<Stream> ConnectAsync(OutboundPolicy policy, DnsEndPoint endpoint, CancellationToken ct)
    {
        var host = endpoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        string? refused = null;
        ExceptionDispatchInfo? failed = null;
        // Only allowed addresses are tried: a name resolving to a public and a private address must not fall back to the private one.
        foreach (var address in addresses)
        {
            if (policy.DenyAddress(address) is { } why)
            {
                refused ??= why;
                continue;
            }
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                failed = ExceptionDispatchInfo.Capture(ex);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        failed?.Throw();
        throw new AddressDeniedException(refused ?? $"{host} resolved to no address");
    }
}

/// <summary>A connection the outbound policy refused; the message names the address and its class.</summary>
public sealed class AddressDeniedException(string message) : IOException(message);
