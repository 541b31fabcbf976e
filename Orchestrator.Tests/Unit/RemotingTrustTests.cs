using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Remoting;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

/// <summary>Which remoting peers a node trusts (<see cref="RemotingTls.Accepts"/>), and where plain remoting may listen.</summary>
public sealed class RemotingTrustTests
{
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    [Fact]
    public void The_clusters_shared_certificate_is_trusted_and_another_self_signed_one_with_the_same_name_is_not()
    {
        using var shared = TestCertificates.SelfSigned("akka-jobs");
        using var other = TestCertificates.SelfSigned("akka-jobs");
        var tls = TestCertificates.Shared(shared);

        Assert.True(tls.Accepts(shared, Now, out _));
        Assert.False(tls.Accepts(other, Now, out var why));
        Assert.Contains("not the cluster's certificate", why);
        Assert.False(tls.Accepts(null, Now, out why));
        Assert.Equal("it presented no certificate", why);
    }

    [Fact]
    public void A_pinned_certificate_is_trusted_only_within_its_dates()
    {
        using var own = TestCertificates.SelfSigned("node-a");
        using var pinned = TestCertificates.SelfSigned("node-b");
        var tls = new RemotingTls(own, new HashSet<string> { RemotingTls.Sha256Of(pinned) }, []);

        Assert.True(tls.Accepts(pinned, Now, out _));
        Assert.False(tls.Accepts(pinned, Now.AddDays(30), out var why));
        Assert.Contains("is valid only from", why);
    }

    [Fact]
    public void Certificates_issued_by_the_configured_ca_are_trusted_and_those_of_another_ca_are_not()
    {
        using var ca = TestCertificates.Authority("cluster-ca");
        using var otherCa = TestCertificates.Authority("cluster-ca");
        using var own = TestCertificates.IssuedBy(ca, "node-a");
        using var peer = TestCertificates.IssuedBy(ca, "node-b");
        using var stranger = TestCertificates.IssuedBy(otherCa, "node-b");
        using var selfSigned = TestCertificates.SelfSigned("node-b");
        var tls = new RemotingTls(own, new HashSet<string>(), [ca]);

        Assert.True(tls.Accepts(peer, Now, out var why), why);
        Assert.False(tls.Accepts(stranger, Now, out why));
        Assert.Contains("not issued by the configured CA", why);
        Assert.False(tls.Accepts(selfSigned, Now, out _));
    }

    [Theory]
    [InlineData("1.3.6.1.5.5.7.3.1")] // serverAuth only: lacks clientAuth
    [InlineData("1.3.6.1.5.5.7.3.2")] // clientAuth only: lacks serverAuth
    [InlineData("1.3.6.1.5.5.7.3.4")] // e-mail protection
    [InlineData()]                    // no extended key usage at all
    public void A_certificate_of_the_ca_without_both_server_and_client_auth_is_refused(params string[] usages)
    {
        using var ca = TestCertificates.Authority("cluster-ca");
        using var own = TestCertificates.IssuedBy(ca, "node-a");
        using var peer = TestCertificates.IssuedBy(ca, "node-b", usages);
        var tls = new RemotingTls(own, new HashSet<string>(), [ca]);

        Assert.False(tls.Accepts(peer, Now, out var why));
        Assert.Contains("lacks the extended key usage", why);
        Assert.Contains(usages.Contains("1.3.6.1.5.5.7.3.2") ? "serverAuth" : "clientAuth", why);
    }

    [Theory]
    [InlineData("127.0.0.1", false, false, RemotingExposure.Verdict.Allowed)]
    [InlineData("127.8.9.10", false, false, RemotingExposure.Verdict.Allowed)]
    [InlineData("[::1]", false, false, RemotingExposure.Verdict.Allowed)]
    [InlineData("LOCALHOST", false, false, RemotingExposure.Verdict.Allowed)]
    [InlineData("0.0.0.0", true, false, RemotingExposure.Verdict.Allowed)]
    [InlineData("0.0.0.0", false, true, RemotingExposure.Verdict.PlaintextAllowedByOperator)]
    [InlineData("0.0.0.0", false, false, RemotingExposure.Verdict.Refused)]
    [InlineData("", false, false, RemotingExposure.Verdict.Refused)]
    [InlineData("::", false, false, RemotingExposure.Verdict.Refused)]
    [InlineData("node1", false, false, RemotingExposure.Verdict.Refused)]
    public void Plain_remoting_may_listen_on_loopback_only(string host, bool tls, bool allowPlaintext, RemotingExposure.Verdict expected) =>
        Assert.Equal(expected, RemotingExposure.Decide(host, tls, allowPlaintext));

    [Theory]
    [InlineData("akka.tcp://akka-jobs@n1:4053", true, "akka.ssl.tcp://akka-jobs@n1:4053")]
    [InlineData("akka.ssl.tcp://akka-jobs@n1:4053", false, "akka.tcp://akka-jobs@n1:4053")]
    [InlineData("akka.tcp://akka-jobs@n1:4053", false, "akka.tcp://akka-jobs@n1:4053")]
    [InlineData("akka://akka-jobs@n1:4053", true, null)]
    public void Seeds_are_written_in_the_scheme_the_node_speaks(string seed, bool tls, string? expected) =>
        Assert.Equal(expected, RemotingExposure.SeedFor(seed, tls));
}
