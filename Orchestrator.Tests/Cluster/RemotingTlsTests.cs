using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Cluster;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Akka.Jobs.Tests.Cluster;

/// <summary>Akka.Remote over TLS (DotNetty <c>enable-ssl</c>) with the node's own configuration.</summary>
public sealed class RemotingTlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-jobs-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The snippet the README shows, with the test's certificate. Self-signed, so validation is suppressed.</summary>
    private static string TlsHocon(string pfx, string password) => $$"""
        akka.remote.dot-netty.tcp {
          enable-ssl = true
          ssl {
            certificate {
              path = "{{pfx}}"
              password = "{{password}}"
            }
            suppress-validation = true
          }
        }
        """;

    [Fact]
    public async Task Two_nodes_with_tls_remoting_form_a_cluster_and_the_port_speaks_tls()
    {
        const string password = "test-only";
        var pfx = Path.Combine(_dir, "node.pfx");
        await File.WriteAllBytesAsync(pfx, SelfSigned().Export(X509ContentType.Pfx, password));
        var hocon = TlsHocon(pfx, password);

        await using var first = await TestNode.StartAsync(port: NodeProcess.FreePort(), akkaHocon: hocon);
        await using var second = await TestNode.StartAsync(db: first.Db, seeds: [first.Address], akkaHocon: hocon);

        var cluster = Akka.Cluster.Cluster.Get(first.Services.GetRequiredService<ActorSystem>());
        await Eventually.UntilAsync(() => Task.FromResult(cluster.State.Members.Count(m => m.Status == MemberStatus.Up) == 2),
            "both nodes up", TimeSpan.FromSeconds(60));

        // The remoting port answers a TLS handshake with the node's certificate: the association is encrypted.
        var port = cluster.SelfAddress.Port!.Value;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [X509CertificateLoader.LoadPkcs12FromFile(pfx, password)],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        Assert.True(tls.IsAuthenticated);
        Assert.Equal("CN=akka-jobs-test", tls.RemoteCertificate!.Subject);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=akka-jobs-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client auth
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
    }
}
