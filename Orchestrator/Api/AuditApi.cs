using Akka.Jobs.Domain.Access;
using Akka.Jobs.Domain.Schedules;
using Akka.Jobs.Orchestrator.Security;
using Akka.Jobs.Persistence.Audit;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary><c>GET /api/audit?since=&amp;limit=</c>: who changed what, newest first.</summary>
public static class AuditApi
{
    public static void MapAuditApi(this WebApplication app)
    {
        app.MapGet("/api/audit", async (HttpContext http, string? since, string? limit, AuditLog audit, TimeProvider clock) =>
        {
            if (http.Caller().Tenants is not null)
                return ApiErrors.Forbidden("the audit log covers every tenant; a token limited to tenants cannot read it");
            if (!ApiQuery.TryLimit(limit, 100, AuditStore.MaxPage, out var max, out var bad)) return bad!;
            DateTimeOffset? from = null;
            if (since is not null)
            {
                if (!ApiQuery.TryInstantOrAgo(since, clock, out var at))
                    return ApiErrors.BadRequest("since", $"'{since}' is neither an instant (2026-11-29T10:00:00Z) nor a duration back from now (1h, 7d)");
                from = at;
            }
            var entries = await audit.Store.ListAsync(from, max, http.RequestAborted);
            return Results.Json(new { limit = max, entries }, ApiJson.Options);
        }).Allow(Role.Viewer);
    }
}
