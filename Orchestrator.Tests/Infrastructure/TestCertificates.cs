using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Jobs.Orchestrator.Remoting;

namespace Akka.Jobs.Tests.Infrastructure;

/// <summary>Certificates made in memory for TLS tests: self-signed ones, and a private CA with the leaves it issues.</summary>
public static class TestCertificates
{
    /// <summary>A self-signed certificate usable by a TLS server and client, valid from yesterday for a week.</summary>
    public static X509Certificate2 SelfSigned(string cn, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = Request(cn, key, isCa: false);
        var now = TimeProvider.System.GetUtcNow();
        using var made = request.CreateSelfSigned(now.AddDays(-1), notAfter ?? now.AddDays(7));
        return Reload(made);
    }

    /// <summary>A CA certificate (with its key) that can issue leaves.</summary>
    public static X509Certificate2 Authority(string cn)
    {
        using var key = RSA.Create(2048);
        var request = Request(cn, key, isCa: true);
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    /// <summary>
    /// A leaf issued by <paramref name="authority"/>, with its private key; <paramref name="usages"/> are its extended key
    /// usage OIDs (default server and client auth; empty: no such extension).
    /// </summary>
    public static X509Certificate2 IssuedBy(X509Certificate2 authority, string cn, string[]? usages = null)
    {
        using var key = RSA.Create(2048);
        var request = Request(cn, key, isCa: false, usages);
        var now = TimeProvider.System.GetUtcNow();
        using var issued = request.Create(authority, now.AddDays(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    /// <summary>TLS settings of a node presenting <paramref name="certificate"/> and trusting only it (the shared-certificate case).</summary>
    public static RemotingTls Shared(X509Certificate2 certificate) => new(certificate, new HashSet<string>(), []);

    /// <summary>Writes <paramref name="certificate"/> with its key as a .pfx file.</summary>
    public static string WritePfx(string dir, X509Certificate2 certificate, string? password, string name = "node.pfx")
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }

    /// <summary>Through a .pfx, as a node loads it: a key made in memory may be ephemeral, which TLS servers can refuse.</summary>
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx, (string?)null), null);

    /// <summary>Server authentication (1.3.6.1.5.5.7.3.1) and client authentication (1.3.6.1.5.5.7.3.2).</summary>
    public static readonly string[] ServerAndClientAuth = ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"];

    private static CertificateRequest Request(string cn, RSA key, bool isCa, string[]? usages = null)
    {
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (isCa)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            return request;
        }
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        usages ??= ServerAndClientAuth;
        if (usages.Length > 0)
        {
            var oids = new OidCollection();
            foreach (var u in usages) oids.Add(new Oid(u));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        }
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        return request;
    }
}
