using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Akka.Jobs.Orchestrator.Remoting;

/// <summary>
/// Mutual TLS for Akka.Remote: the node's own certificate (with its private key), and which peers it trusts. A peer is
/// trusted when it presents the node's own certificate (a cluster sharing one), a certificate whose SHA-256 is in
/// <see cref="TrustedSha256"/>, or one issued by a certificate in <see cref="Authorities"/> (a private CA) for both
/// serverAuth and clientAuth. Nothing else: not the machine's CA store, which would let anyone with a public certificate in.
/// </summary>
public sealed record RemotingTls(X509Certificate2 Certificate, IReadOnlySet<string> TrustedSha256, X509Certificate2Collection Authorities)
{
    /// <summary>The extended key usages a CA-issued peer certificate needs: TLS server and TLS client authentication.</summary>
    private static readonly (string Oid, string Name)[] RequiredUsages = [("1.3.6.1.5.5.7.3.1", "serverAuth"), ("1.3.6.1.5.5.7.3.2", "clientAuth")];

    /// <summary>The certificate's SHA-256 as upper-case hex without separators (the form <see cref="TrustedSha256"/> holds).</summary>
    public static string Sha256Of(X509Certificate2 certificate) => Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));

    /// <summary>Whether a peer presenting <paramref name="peer"/> may talk to this node; <paramref name="why"/> says why not.</summary>
    public bool Accepts(X509Certificate2? peer, DateTimeOffset now, out string why)
    {
        if (peer is null)
        {
            why = "it presented no certificate";
            return false;
        }
        var sha = Sha256Of(peer);
        if (sha == Sha256Of(Certificate) || TrustedSha256.Contains(sha))
        {
            // A pinned certificate is trusted by itself, but not past its dates: an expired one may have leaked long ago.
            why = now < peer.NotBefore || now > peer.NotAfter ? $"its certificate {peer.Subject} is valid only from {peer.NotBefore:u} to {peer.NotAfter:u}" : "";
            return why.Length == 0;
        }
        if (Authorities.Count > 0)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA publishes no revocation list
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            if (chain.Build(peer))
            {
                // A CA may issue certificates for other purposes (a web server, a person's e-mail): only one meant for a
                // node, as TLS server (inbound) and client (outbound) at once, gets in; one without the extension does not.
                // Checked on the certificate itself: a chain's application policy lets a certificate without it pass.
                var usages = peer.Extensions.OfType<X509EnhancedKeyUsageExtension>()
                    .SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value).ToHashSet();
                var missing = RequiredUsages.Where(u => !usages.Contains(u.Oid)).Select(u => u.Name).ToList();
                why = missing.Count == 0 ? ""
                    : $"its certificate {peer.Subject} (SHA-256 {sha}) lacks the extended key usage {string.Join(" and ", missing)}"
                      + " (a node's certificate needs serverAuth and clientAuth)";
                return missing.Count == 0;
            }
            why = $"its certificate {peer.Subject} (SHA-256 {sha}) is not issued by the configured CA: "
                + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return false;
        }
        why = $"its certificate {peer.Subject} (SHA-256 {sha}) is not the cluster's certificate nor a trusted one";
        return false;
    }
}
