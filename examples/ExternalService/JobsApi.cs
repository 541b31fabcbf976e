using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Examples.ExternalService;

/// <summary>Asks the jobs API actor through the cluster client; a rejection is printed with the fields it names.</summary>
internal sealed class JobsApi(IActorRef client, TimeSpan timeout)
{
    public const string Path = "/user/jobs-api";

    public async Task<object> Send(object message)
    {
        var reply = await client.Ask<object>(new ClusterClient.Send(Path, message, localAffinity: false), timeout);
        if (reply is CommandRejected r)
            Console.Error.WriteLine($"{message.GetType().Name} rejected ({r.Kind}): {string.Join("; ", r.Errors)}");
        return reply;
    }
}
