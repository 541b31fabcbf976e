using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;

namespace Akka.Jobs.Examples.ExternalService;

/// <summary>
/// Remoting on a free local port (replies come back over it) and the Contracts serializer, so no CLR type name
/// crosses the wire.
/// </summary>
internal static class ClientConfig
{
    public const string Hocon = """
        akka {
          loglevel = WARNING
          actor {
            provider = remote
            serializers.akka-jobs-contracts = "Akka.Jobs.Contracts.Serialization.ContractsSerializer, Akka.Jobs.Contracts"
            serialization-bindings { "Akka.Jobs.Contracts.IJobsMessage, Akka.Jobs.Contracts" = akka-jobs-contracts }
          }
          remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        }
        """;

    /// <summary>
    /// The cluster client wraps each message in the pub-sub <c>Send</c> envelope. Its serializer binding is in the
    /// DistributedPubSub defaults, which a process that never starts the mediator does not load: without them the
    /// envelope (and the Contracts message inside it) would go out as type-named JSON of the fallback serializer, and
    /// the job definition's parameters would arrive empty.
    /// </summary>
    public static Config Create() => ConfigurationFactory.ParseString(Hocon)
        .WithFallback(ClusterClientReceptionist.DefaultConfig())
        .WithFallback(DistributedPubSub.DefaultConfig());
}
