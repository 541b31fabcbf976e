using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Security;
using ClusterExt = Akka.Cluster.Cluster;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// <c>GET /api/cluster/events</c>: membership as server-sent events, first the current members (as the events that
/// would have brought them there), then every change as this node sees it, and a <c>: keep-alive</c> comment every
/// 15 s. Each request has its own short-lived subscriber actor; it only writes into a channel the request drains, so
/// a slow client never holds an actor thread, and the actor stops when the client goes away.
/// </summary>
public static class ClusterEventsApi
{
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void MapClusterEventsApi(this WebApplication app) =>
        app.MapGet("/api/cluster/events", StreamEvents).Allow(Role.Viewer);

    private static async Task<IResult> StreamEvents(HttpContext http, ActorSystem system, TimeProvider clock, IHostApplicationLifetime lifetime)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var subscriber = system.ActorOf(Props.Create(() => new MembershipSubscriber(channel.Writer, clock)));
        try
        {
            await response.StartAsync(stop.Token);
            await response.Body.FlushAsync(stop.Token);
            while (await NextAsync(channel.Reader, clock, stop.Token) is var ready)
            {
                if (ready is null)
                    await response.WriteAsync(": keep-alive\n\n", stop.Token);
                else if (ready == false)
                    break; // the actor system stopped
                else
                    while (channel.Reader.TryRead(out var data))
                        await response.WriteAsync($"event: member\ndata: {data}\n\n", stop.Token);
                await response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the client went away or the node is stopping
        }
        catch (IOException)
        {
            // the connection broke while writing
        }
        finally
        {
            system.Stop(subscriber);
        }
        return Results.Empty;
    }

    /// <summary>true: events to read; false: no more will come; null: <see cref="KeepAlive"/> passed without one.</summary>
    private static async Task<bool?> NextAsync(ChannelReader<string> reader, TimeProvider clock, CancellationToken stop)
    {
        using var idle = new CancellationTokenSource(KeepAlive, clock);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop, idle.Token);
        try
        {
            return await reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>One event of the stream, as JSON.</summary>
    internal static string Describe(string type, Address? address, string? status, DateTimeOffset at) =>
        JsonSerializer.Serialize(new { type, address = address?.ToString(), status, atUtc = at }, ApiJson.Options);

    /// <summary>Subscribes to membership, reachability and leadership, and hands each event to the request as JSON.</summary>
    private sealed class MembershipSubscriber : ReceiveActor
    {
        private readonly ChannelWriter<string> _writer;
        private readonly TimeProvider _clock;

        public MembershipSubscriber(ChannelWriter<string> writer, TimeProvider clock)
        {
            _writer = writer;
            _clock = clock;
            Receive<ClusterEvent.IMemberEvent>(HandleMemberEvent);
            Receive<ClusterEvent.UnreachableMember>(e => Publish("unreachable", e.Member));
            Receive<ClusterEvent.ReachableMember>(e => Publish("reachable", e.Member));
            Receive<ClusterEvent.LeaderChanged>(HandleLeaderChanged);
        }

        private void HandleMemberEvent(ClusterEvent.IMemberEvent e) => Publish(e switch
        {
            ClusterEvent.MemberJoined => "member-joined",
            ClusterEvent.MemberWeaklyUp => "member-weakly-up",
            ClusterEvent.MemberUp => "member-up",
            ClusterEvent.MemberLeft => "member-left",
            ClusterEvent.MemberExited => "member-exited",
            ClusterEvent.MemberDowned => "member-downed",
            ClusterEvent.MemberRemoved => "member-removed",
            _ => "member-" + JobDefinitionJson.Kebab(e.GetType().Name.Replace("Member", "")),
        }, e.Member);

        private void HandleLeaderChanged(ClusterEvent.LeaderChanged e) =>
            _writer.TryWrite(Describe("leader-changed", e.Leader, null, _clock.GetUtcNow()));

        private void Publish(string type, Member member) =>
            _writer.TryWrite(Describe(type, member.Address, ClusterAddresses.StatusName(member.Status), _clock.GetUtcNow()));

        protected override void PreStart() =>
            ClusterExt.Get(Context.System).Subscribe(Self, ClusterEvent.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

        protected override void PostStop()
        {
            ClusterExt.Get(Context.System).Unsubscribe(Self);
            _writer.TryComplete();
        }
    }
}
