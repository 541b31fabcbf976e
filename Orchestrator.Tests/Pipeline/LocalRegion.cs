using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>
/// Stands in for a shard region in unit tests: routes by the same message extractor to child
/// entities on this node. A stopped entity is recreated by the next message, like sharding does.
/// </summary>
public sealed class LocalRegion : ReceiveActor
{
    public LocalRegion(IMessageExtractor extractor, Func<string, Props> entityProps)
    {
        var killed = new Dictionary<IActorRef, (IActorRef ReplyTo, KillEntity Kill)>();
        Receive<KillEntity>(k =>
        {
            var child = Context.Child(Uri.EscapeDataString(k.EntityId));
            if (child.IsNobody())
            {
                Sender.Tell(k);
                return;
            }
            // Reply once it is gone: until then messages would still reach the dying entity and be lost.
            killed[child] = (Sender, k);
            Context.Watch(child);
            Context.Stop(child);
        });
        Receive<Terminated>(t =>
        {
            if (killed.Remove(t.ActorRef, out var k)) k.ReplyTo.Tell(k.Kill);
        });
        Receive<ListEntities>(_ => Sender.Tell(Context.GetChildren().Select(c => Uri.UnescapeDataString(c.Path.Name)).ToList()));
        ReceiveAny(msg =>
        {
            var id = extractor.EntityId(msg);
            if (id is null)
            {
                Unhandled(msg);
                return;
            }
            var name = Uri.EscapeDataString(id);
            var child = Context.Child(name);
            if (child.IsNobody()) child = Context.ActorOf(entityProps(id), name);
            child.Forward(extractor.EntityMessage(msg));
        });
    }

    /// <summary>Asks for the ids of the entities alive now (a <c>List&lt;string&gt;</c>).</summary>
    public sealed record ListEntities;

    /// <summary>Stops one entity (simulates losing its node); replies with the same message.</summary>
    public sealed record KillEntity(string EntityId);
}
