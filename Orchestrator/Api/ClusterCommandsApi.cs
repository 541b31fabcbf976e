using Akka.Actor;
using Akka.Cluster;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Security;
using ClusterExt = Akka.Cluster.Cluster;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// The operator's cluster commands, pbm's vocabulary: <c>POST /api/cluster/leave|down|down-unreachable|join</c>. Each
/// answers once Akka has been told; the membership change itself shows in <c>GET /api/cluster</c> and its event stream.
/// Membership concerns every tenant, so a token limited to tenants may read it but not change it (403).
/// </summary>
public static class ClusterCommandsApi
{
    public static void MapClusterCommandsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/cluster");
        api.MapPost("/leave", Leave).Allow(Role.Operator, "cluster.leave");
        api.MapPost("/down", Down).Allow(Role.Operator, "cluster.down");
        api.MapPost("/down-unreachable", DownUnreachable).Allow(Role.Operator, "cluster.down-unreachable");
        api.MapPost("/join", Join).Allow(Role.Operator, "cluster.join");
    }

    /// <summary>A graceful leave of the member at <c>address</c>, or of this node when the body names none.</summary>
    private static async Task<IResult> Leave(HttpContext http, ActorSystem system)
    {
        if (TenantRefusal(http) is { } refused) return refused;
        var cluster = ClusterExt.Get(system);
        var (address, bad) = await ClusterAddresses.ReadAsync(http, cluster.SelfAddress);
        if (bad is not null) return bad;
        address = ClusterAddresses.InSchemeOf(address!, cluster.SelfAddress);
        AuditLog.SetTarget(http, address.ToString());
        if (!IsMember(cluster, address)) return ClusterAddresses.NotAMember(address);
        cluster.Leave(address);
        return Accepted(address);
    }

    /// <summary>Marks the member at <c>address</c> down: for a node known dead, which a leave cannot reach.</summary>
    private static async Task<IResult> Down(HttpContext http, ActorSystem system)
    {
        if (TenantRefusal(http) is { } refused) return refused;
        var cluster = ClusterExt.Get(system);
        var (address, bad) = await ClusterAddresses.ReadAsync(http, fallback: null);
        if (bad is not null) return bad;
        address = ClusterAddresses.InSchemeOf(address!, cluster.SelfAddress);
        AuditLog.SetTarget(http, address.ToString());
        if (!IsMember(cluster, address)) return ClusterAddresses.NotAMember(address);
        cluster.Down(address);
        return Accepted(address);
    }

    /// <summary>Downs every member this node sees unreachable now, and names them.</summary>
    private static IResult DownUnreachable(HttpContext http, ActorSystem system)
    {
        if (TenantRefusal(http) is { } refused) return refused;
        var cluster = ClusterExt.Get(system);
        var downed = cluster.State.Unreachable.Select(m => m.Address).OrderBy(a => a.ToString()).ToList();
        foreach (var address in downed) cluster.Down(address);
        if (downed.Count > 0) AuditLog.SetTarget(http, string.Join(",", downed));
        return Results.Json(new { downed = downed.Select(a => a.ToString()) }, ApiJson.Options);
    }

    /// <summary>
    /// This node joins the cluster at <c>address</c>: for a node still trying to reach its seeds. Akka ignores a join
    /// from a node that is already a member of a cluster, so that is a 409 rather than a 202 for nothing; a join to
    /// a member of this node's own cluster is already done and answers 202.
    /// </summary>
    private static async Task<IResult> Join(HttpContext http, ActorSystem system)
    {
        if (TenantRefusal(http) is { } refused) return refused;
        var cluster = ClusterExt.Get(system);
        var (address, bad) = await ClusterAddresses.ReadAsync(http, fallback: null);
        if (bad is not null) return bad;
        address = ClusterAddresses.InSchemeOf(address!, cluster.SelfAddress);
        AuditLog.SetTarget(http, address.ToString());
        if (IsMember(cluster, address)) return Accepted(address);
        if (cluster.SelfMember.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving or MemberStatus.Exiting)
            return Results.Json(new
            {
                error = $"this node is already a member of a cluster ({string.Join(", ", cluster.State.Members.Select(m => m.Address))}); " +
                        "a node joins only once: leave, then restart it with --seed " + address,
                field = "address",
            }, ApiJson.Options, statusCode: 409);
        cluster.Join(address);
        return Accepted(address);
    }

    private static IResult? TenantRefusal(HttpContext http) => http.Caller() is { Tenants: not null } caller
        ? ApiErrors.Forbidden($"token '{caller.Name}' is limited to tenants {string.Join(", ", caller.Tenants)}; cluster membership concerns every tenant")
        : null;

    private static bool IsMember(ClusterExt cluster, Address address) => cluster.State.Members.Any(m => m.Address.Equals(address));

    private static IResult Accepted(Address address) => Results.Json(new { address = address.ToString() }, ApiJson.Options, statusCode: 202);
}
