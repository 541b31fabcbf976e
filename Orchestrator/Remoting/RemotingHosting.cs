using Akka.Event;
using Akka.Hosting;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Remote.Hosting;

namespace Akka.Jobs.Orchestrator.Remoting;

/// <summary>Akka.Remote for a node: where it listens, and mutual TLS when <see cref="NodeOptions.Tls"/> is set.</summary>
public static class RemotingHosting
{
    public static AkkaConfigurationBuilder AddJobsRemoting(this AkkaConfigurationBuilder b, NodeOptions o)
    {
        // Options built in code (tests, embedders) get the same rule as the ones the loader read.
        if (NodeConfigLoader.CheckRemotingExposure(o) == RemotingExposure.Verdict.PlaintextAllowedByOperator)
            b.WithActors((system, _) => system.Log.Warning(
                "Remoting listens on {0} without TLS (akka.jobs.node.allow-plaintext-remoting = on): anyone who reaches that port can join the cluster and run jobs",
                o.BindHostname ?? o.Hostname));
        var options = new RemoteOptions
        {
            HostName = o.BindHostname ?? o.Hostname,
            Port = o.Port,
            PublicHostName = o.BindHostname is null ? null : o.Hostname,
            EnableSsl = o.Tls is not null,
        };
        if (o.Tls is { } tls)
        {
            // The certificate object goes to DotNetty through a Setup: no path or password in the HOCON. Hostnames are not
            // checked (nodes are reached by IP or container name); trust is the certificate itself, both ways.
            options.Ssl = new SslOptions
            {
                X509Certificate = tls.Certificate,
                SuppressValidation = false,
                RequireMutualAuthentication = true,
                ValidateCertificateHostname = false,
                CustomValidator = (certificate, _, peer, _, log) =>
                {
                    if (tls.Accepts(certificate, TimeProvider.System.GetUtcNow(), out var why)) return true;
                    log.Warning("Refused a remoting connection with {0}: {1}", peer, why);
                    return false;
                },
            };
        }
        return b.WithRemoting(options);
    }
}
