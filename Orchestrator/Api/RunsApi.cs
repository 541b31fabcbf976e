using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Security;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// <c>/api/runs/{runId}</c>: one run with its attempts, cancel, rerun. A run id names its job (the part before <c>~</c>
/// or <c>@</c>), so the request goes straight to that job's actor; a run of a job the caller cannot reach is a 404.
/// </summary>
public static class RunsApi
{
    public static void MapRunsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/runs");
        api.MapGet("/{runId}", GetRun).Allow(Role.Viewer);
        api.MapPost("/{runId}/cancel", CancelRun).Allow(Role.Operator, "runs.cancel");
        api.MapPost("/{runId}/rerun", RerunRun).Allow(Role.Operator, "runs.rerun");
    }

    private static async Task<IResult> GetRun(HttpContext http, string runId, IRequiredActor<SchedulerProxy> scheduler, IRequiredActor<JobRegion> jobs)
    {
        var (run, error) = await Find(http, runId, scheduler, jobs);
        return error ?? Results.Json(new { run = run!.Run, attempts = run.Attempts }, ApiJson.Options);
    }

    private static async Task<IResult> CancelRun(HttpContext http, string runId, IRequiredActor<SchedulerProxy> scheduler, IRequiredActor<JobRegion> jobs)
    {
        var (run, error) = await Find(http, runId, scheduler, jobs);
        if (error is not null) return error;
        return await Ask.Send<object>(jobs.ActorRef, new Contracts.Jobs.CancelRun(run!.JobId, runId, http.Caller().Name, http.Caller().Scope), reply => reply switch
        {
            CommandAck => Results.Json(new { runId, cancelled = true }, ApiJson.Options, statusCode: 202),
            CommandRejected { Kind: RejectionKind.NotFound } => RunNotFound(runId),
            CommandRejected r => Results.Json(new { error = r.Errors[0].Message, field = "runId" }, ApiJson.Options, statusCode: 409),
            _ => ApiErrors.Unexpected(reply),
        }, "the job's actor");
    }

    private static async Task<IResult> RerunRun(HttpContext http, string runId, IRequiredActor<SchedulerProxy> scheduler, IRequiredActor<JobRegion> jobs)
    {
        var (run, error) = await Find(http, runId, scheduler, jobs);
        if (error is not null) return error;
        return await Ask.Send<object>(scheduler.ActorRef, new Contracts.Jobs.RerunRun(run!.JobId, runId, http.Caller().Name, http.Caller().Scope), reply => reply switch
        {
            CommandAck a => Results.Json(new { runId = a.RunId, rerunOf = runId }, ApiJson.Options, statusCode: 202),
            CommandRejected { Kind: RejectionKind.NotFound } => RunNotFound(runId),
            CommandRejected r => ApiErrors.Rejected(r),
            _ => ApiErrors.Unexpected(reply),
        });
    }

    /// <summary>The run with its attempts, or the reply to give: 404 for a malformed or unknown run id or a job out of the caller's reach.</summary>
    private static async Task<(GetRunResult? Run, IResult? Error)> Find(HttpContext http, string runId, IRequiredActor<SchedulerProxy> scheduler,
        IRequiredActor<JobRegion> jobs)
    {
        if (RunIds.JobIdOf(runId) is not { } jobId || !JobDefinitionValidator.IsValidId(jobId)) return (null, RunNotFound(runId));
        var (job, error) = await JobsApi.Visible(http, jobId, scheduler);
        if (error is not null) return (null, error is IStatusCodeHttpResult { StatusCode: 404 } ? RunNotFound(runId) : error);
        var (result, failed) = await Ask.Send<GetRunResult, GetRunResult>(jobs.ActorRef, new GetRun(jobId, runId, job!.CreatedUtc), r => r, "the job's actor");
        if (failed is not null) return (null, failed);
        // An earlier life of the id may have been another tenant's job: a tenant-limited caller sees only the current one.
        var hidden = http.Caller().Tenants is not null && result!.Run?.Incarnation != result.CurrentIncarnation;
        return result!.Run is null || hidden ? (null, RunNotFound(runId)) : (result, null);
    }

    private static IResult RunNotFound(string runId) =>
        Results.Json(new { error = $"run '{ApiQuery.Clip(runId)}' does not exist", field = "runId" }, ApiJson.Options, statusCode: 404);
}
