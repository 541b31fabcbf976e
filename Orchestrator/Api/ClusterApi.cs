using Akka.Actor;
using Akka.Cluster;

using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Node;
using Akka.Jobs.Orchestrator.Security;
using Akka.Jobs.Domain.Access;
using ClusterExt = Akka.Cluster.Cluster;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// <c>GET /api/cluster</c>: this node, the leader, the node hosting the scheduler singleton (the
/// oldest up member, as ClusterSingletonManager places it) and every member with its reachability.
/// </summary>
public static class ClusterApi
{
    public static void MapClusterApi(this WebApplication app)
    {
        app.MapGet("/api/cluster", (ActorSystem system, MemberUpTimes upTimes, NodeOptions options) =>
        {
            var cluster = ClusterExt.Get(system);
            var state = cluster.State;
            var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
            return Results.Json(new
            {
                self = cluster.SelfAddress.ToString(),
                leader = state.Leader?.ToString(),
                schedulerNode = SchedulerNode(state, options)?.ToString(),
                members = state.Members.OrderBy(m => m.Address.ToString()).Select(m => new
                {
                    address = m.Address.ToString(),
                    status = ClusterAddresses.StatusName(m.Status),
                    roles = m.Roles.Order().ToArray(),
                    reachable = !unreachable.Contains(m.Address),
                    upSinceUtc = upTimes.Of(m.UniqueAddress),
                }),
            }, ApiJson.Options);
        }).Allow(Role.Viewer);
    }

    /// <summary>The oldest up (or leaving) member carrying the scheduler's role hosts the singleton.</summary>
    public static Address? SchedulerNode(ClusterEvent.CurrentClusterState state, NodeOptions options)
    {
        var role = AkkaJobsNode.JobsRole(options);
        return state.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving)
            .Where(m => role is null || m.HasRole(role))
            .OrderBy(m => m, Member.AgeOrdering)
            .FirstOrDefault()?.Address;
    }
}

/// <summary>When this node saw each member come up (members carry no timestamp of their own).</summary>
public sealed class MemberUpTimes
{
    private readonly Dictionary<UniqueAddress, DateTimeOffset> _times = [];

    public MemberUpTimes(ActorSystem system, TimeProvider clock)
    {
        system.ActorOf(Props.Create(() => new Watcher(this, clock)), "member-up-times");
    }

    public DateTimeOffset? Of(UniqueAddress member)
    {
        lock (_times) return _times.TryGetValue(member, out var t) ? t : null;
    }

    private void Set(UniqueAddress member, DateTimeOffset? at)
    {
        lock (_times)
        {
            if (at is { } t) _times.TryAdd(member, t);
            else _times.Remove(member);
        }
    }

    private sealed class Watcher : ReceiveActor
    {
        private readonly MemberUpTimes _times;
        private readonly TimeProvider _clock;

        public Watcher(MemberUpTimes times, TimeProvider clock)
        {
            _times = times;
            _clock = clock;
            Receive<ClusterEvent.MemberUp>(HandleMemberUp);
            Receive<ClusterEvent.MemberRemoved>(HandleMemberRemoved);
            Receive<ClusterEvent.IMemberEvent>(_ => { }); // other transitions do not change an up-time
        }

        private void HandleMemberUp(ClusterEvent.MemberUp e) => _times.Set(e.Member.UniqueAddress, _clock.GetUtcNow());

        private void HandleMemberRemoved(ClusterEvent.MemberRemoved e) => _times.Set(e.Member.UniqueAddress, null);

        protected override void PreStart() =>
            ClusterExt.Get(Context.System).Subscribe(Self, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

        protected override void PostStop() => ClusterExt.Get(Context.System).Unsubscribe(Self);
    }
}
