using Akka.Actor;
using Akka.Cluster;
using ClusterExt = Akka.Cluster.Cluster;
using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// <c>/healthz</c> (process and ActorSystem alive) and <c>/readyz</c> (cluster member up, scheduler answering). Both are
/// open to anyone who can reach the port, so they name no address: <c>GET /api/cluster</c> (viewer) does.
/// </summary>
public static class HealthApi
{
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", (ActorSystem system) =>
            system.WhenTerminated.IsCompleted
                ? Results.Json(new { status = "terminated" }, statusCode: 503)
                : Results.Json(new { status = "ok" }));

        app.MapGet("/readyz", async (ActorSystem system, IRequiredActor<SchedulerProxy> scheduler, Node.DefinitionsRegistrar definitions) =>
        {
            var member = ClusterExt.Get(system).SelfMember;
            if (member.Status != MemberStatus.Up)
                return Results.Json(new { status = "not-ready", reason = $"cluster member is {member.Status}" }, statusCode: 503);
            if (!definitions.Done)
                return Results.Json(new { status = "not-ready", reason = "configured job definitions are still being registered" }, statusCode: 503);
            try
            {
                await scheduler.ActorRef.Ask<GetJobResult>(new GetJob("readiness-probe"), TimeSpan.FromSeconds(3));
                return Results.Json(new { status = "ready" });
            }
            catch (AskTimeoutException)
            {
                return Results.Json(new { status = "not-ready", reason = "scheduler did not answer" }, statusCode: 503);
            }
        });
    }
}
