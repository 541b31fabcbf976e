using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Security;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// <c>/api/jobs</c>: CRUD, trigger/pause/resume, runs and next fire times. The HTTP edge is the only place that asks
/// actors; every reply maps to a status code without partial effects. A token limited to tenants sees only their jobs:
/// any other job answers 404, as if it did not exist.
/// </summary>
public static class JobsApi
{
    /// <summary>Most runs one page returns; a larger limit is clamped to it.</summary>
    public const int MaxRunsPage = Domain.Jobs.JobState.HistoryLimit;

    public static void MapJobsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/jobs");
        api.MapGet("", ListJobs).Allow(Role.Viewer);
        api.MapGet("/{id}", GetJob).Allow(Role.Viewer);
        api.MapPut("/{id}", PutJob).Allow(Role.Admin, "jobs.put");
        api.MapDelete("/{id}", DeleteJob).Allow(Role.Admin, "jobs.remove");
        api.MapPost("/{id}/trigger", TriggerJob).Allow(Role.Operator, "jobs.trigger");
        api.MapPost("/{id}/pause", PauseJob).Allow(Role.Operator, "jobs.pause");
        api.MapPost("/{id}/resume", ResumeJob).Allow(Role.Operator, "jobs.resume");
        api.MapGet("/{id}/runs", ListRuns).Allow(Role.Viewer);
        api.MapGet("/{id}/next", NextFireTimes).Allow(Role.Viewer);
    }

    private static async Task<IResult> ListJobs(HttpContext http, string? tenant, string? status, IRequiredActor<SchedulerProxy> scheduler,
        JobHandlerRegistry handlers)
    {
        Contracts.Jobs.ListJobs? query = status switch
        {
            null => new(tenant),
            "paused" => new(tenant, Paused: true),
            "active" => new(tenant, Paused: false),
            "failing" => new(tenant, Failing: true),
            _ => null,
        };
        if (query is null) return ApiErrors.BadRequest("status", $"'{ApiQuery.Clip(status!)}' is not one of: paused, active, failing");
        var caller = http.Caller();
        // Page by page, each a cluster message of its own (a list of every job in one reply would outgrow the remoting frame).
        var jobs = new List<JobView>();
        for (string? after = null; ;)
        {
            var (page, error) = await Ask.Send<ListJobsResult, ListJobsResult>(scheduler.ActorRef, query with { Tenants = caller.Scope, After = after }, r => r);
            if (error is not null) return error;
            jobs.AddRange(page!.Jobs.Where(j => caller.CanReach(j.Definition.Tenant)).Select(j => ShownTo(caller, j, handlers)));
            if ((after = page.Next) is null) break;
        }
        return Results.Json(jobs, ApiJson.Options);
    }

    private static async Task<IResult> GetJob(HttpContext http, string id, IRequiredActor<SchedulerProxy> scheduler, JobHandlerRegistry handlers)
    {
        var (job, error) = await Visible(http, id, scheduler);
        return error ?? Results.Json(ShownTo(http.Caller(), job!, handlers), ApiJson.Options);
    }

    /// <summary>The job as <paramref name="caller"/> may see it: parameter values its handler does not declare safe are for admins only.</summary>
    private static JobView ShownTo(Caller caller, JobView job, JobHandlerRegistry handlers) =>
        caller.Has(Role.Admin) ? job
            : job with { Definition = ParameterRedaction.Redact(job.Definition, handlers.SafeParametersOf(job.Definition.Handler)) };

    private static async Task<IResult> PutJob(HttpContext http, string id, IRequiredActor<SchedulerProxy> scheduler, NodeOptions options)
    {
        if (!JobDefinitionValidator.IsValidId(id))
            return ApiErrors.BadRequest("id", $"'{ApiQuery.Clip(id)}' is not a valid job id: use 1-128 characters of a-z, 0-9, '-', '_', '.', starting with a letter or digit");
        var (body, bad) = await ApiBody.ReadJson(http.Request);
        if (bad is not null) return bad;
        using (body)
        {
            var (definition, errors) = JobDefinitionJson.Read(id, body!.RootElement, options.Engine.MaxDefinitionBytes);
            if (definition is null) return ApiErrors.BadRequest(errors);
            var caller = http.Caller();
            if (TenantOf(caller, definition) is { } refusal) return refusal;
            // The token's only tenant is the job's tenant when the body names none.
            if (definition.Tenant is null && caller.Tenants is { Count: 1 }) definition = definition with { Tenant = caller.Tenants.Single() };
            return await Ask.Send<object>(scheduler.ActorRef, new RegisterJob(definition, caller.Scope), reply => reply switch
            {
                CommandAck { Created: true } => Results.Json(new { jobId = id, created = true }, ApiJson.Options, statusCode: 201),
                CommandAck => Results.Json(new { jobId = id, created = false }, ApiJson.Options),
                CommandRejected r => ApiErrors.Rejected(r),
                _ => ApiErrors.Unexpected(reply),
            });
        }
    }

    private static async Task<IResult> DeleteJob(HttpContext http, string id, IRequiredActor<SchedulerProxy> scheduler)
    {
        if (!JobDefinitionValidator.IsValidId(id)) return ApiErrors.NotFound(ApiQuery.Clip(id));
        return await Ask.Send<object>(scheduler.ActorRef, new RemoveJob(id, http.Caller().Scope), reply => reply is CommandRejected r ? ApiErrors.Rejected(r) : Results.NoContent());
    }

    private static async Task<IResult> TriggerJob(HttpContext http, string id, IRequiredActor<SchedulerProxy> scheduler)
    {
        if (!JobDefinitionValidator.IsValidId(id)) return ApiErrors.NotFound(ApiQuery.Clip(id));
        return await Ask.Send<object>(scheduler.ActorRef, new Contracts.Jobs.TriggerJob(id, By: http.Caller().Name, Tenants: http.Caller().Scope), reply => reply switch
        {
            CommandAck a => Results.Json(new { runId = a.RunId }, ApiJson.Options, statusCode: 202),
            CommandRejected r => ApiErrors.Rejected(r),
            _ => ApiErrors.Unexpected(reply),
        });
    }

    /// <summary>Optional body <c>{"until": instant or duration from now, "note": text}</c>.</summary>
    private static async Task<IResult> PauseJob(HttpContext http, string id, IRequiredActor<SchedulerProxy> scheduler, TimeProvider clock)
    {
        var (body, bad) = await ApiBody.ReadJson(http.Request, optional: true);
        if (bad is not null) return bad;
        DateTimeOffset? until = null;
        string? note = null;
        using (body)
        {
            if (body is not null)
            {
                var root = body.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return ApiErrors.BadRequest("body", "must be an object such as {\"until\": \"2h\", \"note\": \"maintenance\"}");
                foreach (var p in root.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "until" when p.Value.ValueKind == JsonValueKind.Null:
                            break;
                        case "until":
                            if (p.Value.ValueKind != JsonValueKind.String || !ApiQuery.TryInstantOrAhead(p.Value.GetString()!, clock, out var at))
                                return ApiErrors.BadRequest("until", "must be an instant (2026-12-01T06:00:00Z) or a duration from now (2h, 1d)");
                            until = at;
                            break;
                        case "note" when p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null:
                            note = p.Value.GetString(); // its length and form are the pause decision's (OperatorDecisions.DecidePause)
                            break;
                        case "note":
                            return ApiErrors.BadRequest("note", "must be a string");
                        default:
                            return ApiErrors.BadRequest(p.Name, "unknown field: the body takes until and note");
                    }
                }
            }
        }
        if (!JobDefinitionValidator.IsValidId(id)) return ApiErrors.NotFound(ApiQuery.Clip(id));
        return await Ask.Send<object>(scheduler.ActorRef, new Contracts.Jobs.PauseJob(id, note, until, http.Caller().Name, http.Caller().Scope), reply => reply is CommandRejected r
            ? ApiErrors.Rejected(r)
            : Results.Json(new { jobId = id, paused = true, pausedUntilUtc = until }, ApiJson.Options));
    }

    private static async Task<IResult> ResumeJob(HttpContext http, string id, IRequiredActor<SchedulerProxy> scheduler)
    {
        if (!JobDefinitionValidator.IsValidId(id)) return ApiErrors.NotFound(ApiQuery.Clip(id));
        return await Ask.Send<object>(scheduler.ActorRef, new Contracts.Jobs.ResumeJob(id, http.Caller().Name, http.Caller().Scope), reply => reply is CommandRejected r
            ? ApiErrors.Rejected(r)
            : Results.Json(new { jobId = id, paused = false }, ApiJson.Options));
    }

    private static async Task<IResult> ListRuns(HttpContext http, string id, string? limit, string? status, string? incarnation,
        IRequiredActor<SchedulerProxy> scheduler, IRequiredActor<JobRegion> jobs)
    {
        if (!ApiQuery.TryLimit(limit, 50, MaxRunsPage, out var max, out var bad)) return bad!;
        int? life = null;
        if (incarnation is not null)
        {
            if (!ApiQuery.TryRange(incarnation, 1, 1, int.MaxValue, out var n))
                return ApiErrors.BadRequest("incarnation", $"must be a whole number from 1 (the job's first life), got '{ApiQuery.Clip(incarnation)}'");
            life = n;
        }
        RunStatus? wanted = null;
        if (status is not null)
        {
            var names = Enum.GetValues<RunStatus>().ToDictionary(s => JobDefinitionJson.Kebab(s.ToString()), s => s);
            if (!names.TryGetValue(status, out var s))
                return ApiErrors.BadRequest("status", $"'{ApiQuery.Clip(status)}' is not one of: {string.Join(", ", names.Keys)}");
            wanted = s;
        }
        var (job, error) = await Visible(http, id, scheduler);
        if (error is not null) return error;
        http.Response.Headers["X-Limit"] = max.ToString();
        return await Ask.Send<ListRunsResult>(jobs.ActorRef, new Contracts.Jobs.ListRuns(id, max, wanted, life, job!.CreatedUtc),
            // An earlier life of the id may have been another tenant's job: a tenant-limited caller sees only the current one.
            r => life is { } asked && asked != r.CurrentIncarnation && http.Caller().Tenants is not null
                ? ApiErrors.BadRequest("incarnation", "a token limited to tenants sees only the job's current incarnation")
                : Results.Json(r.Runs, ApiJson.Options), "the job's actor");
    }

    private static async Task<IResult> NextFireTimes(HttpContext http, string id, string? count, IRequiredActor<SchedulerProxy> scheduler)
    {
        if (!ApiQuery.TryLimit(count, 10, GetNextFireTimes.MaxCount, out var n, out var bad, "count")) return bad!;
        var (_, error) = await Visible(http, id, scheduler);
        if (error is not null) return error;
        return await Ask.Send<object>(scheduler.ActorRef, new GetNextFireTimes(id, n), reply => reply switch
        {
            GetNextFireTimesResult r => Results.Json(new { jobId = id, times = r.Times }, ApiJson.Options),
            CommandRejected r => ApiErrors.Rejected(r),
            _ => ApiErrors.Unexpected(reply),
        });
    }

    /// <summary>
    /// The tenant comes from the token: a token limited to tenants defines jobs of those tenants only (403), and one limited
    /// to several must say which (400). Whether the id is free for it is the scheduler's decision (<c>TenantScope.Own</c>).
    /// </summary>
    private static IResult? TenantOf(Caller caller, JobDefinition definition)
    {
        if (caller.Tenants is null) return null;
        if (definition.Tenant is null)
            return caller.Tenants.Count == 1 ? null
                : ApiErrors.BadRequest("tenant", $"is required: token '{caller.Name}' defines jobs of tenants {string.Join(", ", caller.Tenants.Order())}");
        return caller.CanReach(definition.Tenant) ? null
            : ApiErrors.Forbidden($"token '{caller.Name}' may only define jobs of tenants {string.Join(", ", caller.Tenants.Order())}");
    }

    /// <summary>The job, or the reply to give: 404 when it does not exist or belongs to a tenant the caller cannot reach.</summary>
    internal static async Task<(JobView? Job, IResult? Error)> Visible(HttpContext http, string id, IRequiredActor<SchedulerProxy> scheduler)
    {
        if (!JobDefinitionValidator.IsValidId(id)) return (null, ApiErrors.NotFound(ApiQuery.Clip(id)));
        var (reply, error) = await Ask.Send<GetJobResult, GetJobResult?>(scheduler.ActorRef, new Contracts.Jobs.GetJob(id), r => r);
        if (error is not null) return (null, error);
        var job = reply!.Job;
        return job is null || !http.Caller().CanReach(job.Definition.Tenant) ? (null, ApiErrors.NotFound(id)) : (job, null);
    }
}
