using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Contracts.Serialization;
using Akka.Jobs.Orchestrator.Configuration;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// <c>/api/jobs</c>: CRUD, trigger/pause/resume, runs and next fire times. The HTTP edge is the only
/// place that asks actors; every reply maps to a status code without partial effects.
/// </summary>
public static class JobsApi
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static void MapJobsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/jobs");
        var json = JobsJson.Options;

        api.MapGet("", async (IRequiredActor<SchedulerProxy> scheduler, string? tenant) =>
            await AskAsync<ListJobsResult>(scheduler, new ListJobs(tenant), r => Results.Json(r.Jobs, json)));

        api.MapGet("/{id}", async (string id, IRequiredActor<SchedulerProxy> scheduler) =>
            await AskAsync<GetJobResult>(scheduler, new GetJob(id), r => r.Job is null ? ApiErrors.NotFound(id) : Results.Json(r.Job, json)));

        api.MapPut("/{id}", async (string id, HttpRequest request, IRequiredActor<SchedulerProxy> scheduler) =>
        {
            if (!JobDefinitionValidator.IsValidId(id))
                return ApiErrors.BadRequest("id", $"'{id}' is not a valid job id: use 1-128 characters of a-z, 0-9, '-', '_', '.', starting with a letter or digit");
            JsonDocument body;
            try
            {
                body = await JsonDocument.ParseAsync(request.Body);
            }
            catch (JsonException ex)
            {
                return ApiErrors.BadRequest("body", $"malformed JSON: {ex.Message}");
            }
            using (body)
            {
                var (definition, errors) = JobDefinitionJson.Read(id, body.RootElement);
                if (definition is null) return ApiErrors.BadRequest(errors);
                return await AskAsync<object>(scheduler, new RegisterJob(definition), reply => reply switch
                {
                    CommandAck { Created: true } => Results.Json(new { jobId = id, created = true }, json, statusCode: 201),
                    CommandAck => Results.Json(new { jobId = id, created = false }, json),
                    CommandRejected r => ApiErrors.Rejected(r),
                    _ => Results.StatusCode(500),
                });
            }
        });

        api.MapDelete("/{id}", async (string id, IRequiredActor<SchedulerProxy> scheduler) =>
            await AskAsync<object>(scheduler, new RemoveJob(id), reply => reply is CommandRejected r ? ApiErrors.Rejected(r) : Results.NoContent()));

        api.MapPost("/{id}/trigger", async (string id, IRequiredActor<SchedulerProxy> scheduler) =>
            await AskAsync<object>(scheduler, new TriggerJob(id), reply => reply switch
            {
                CommandAck a => Results.Json(new { runId = a.RunId }, json, statusCode: 202),
                CommandRejected r => ApiErrors.Rejected(r),
                _ => Results.StatusCode(500),
            }));

        api.MapPost("/{id}/pause", async (string id, IRequiredActor<SchedulerProxy> scheduler) =>
            await AskAsync<object>(scheduler, new PauseJob(id), reply => reply is CommandRejected r
                ? ApiErrors.Rejected(r)
                : Results.Json(new { jobId = id, paused = true }, json)));

        api.MapPost("/{id}/resume", async (string id, IRequiredActor<SchedulerProxy> scheduler) =>
            await AskAsync<object>(scheduler, new ResumeJob(id), reply => reply is CommandRejected r
                ? ApiErrors.Rejected(r)
                : Results.Json(new { jobId = id, paused = false }, json)));

        api.MapGet("/{id}/runs", async (string id, string? limit, string? status, string? incarnation, IRequiredActor<SchedulerProxy> scheduler,
            IRequiredActor<JobRegion> jobs) =>
        {
            if (!TryParseRange(limit, 50, 1, 500, out var max))
                return ApiErrors.BadRequest("limit", $"must be a whole number between 1 and 500, got '{limit}'");
            int? life = null;
            if (incarnation is not null)
            {
                if (!TryParseRange(incarnation, 1, 1, int.MaxValue, out var n))
                    return ApiErrors.BadRequest("incarnation", $"must be a whole number from 1 (the job's first life), got '{incarnation}'");
                life = n;
            }
            RunStatus? wanted = null;
            if (status is not null)
            {
                var names = Enum.GetValues<RunStatus>().ToDictionary(s => JobDefinitionJson.Kebab(s.ToString()), s => s);
                if (!names.TryGetValue(status, out var s))
                    return ApiErrors.BadRequest("status", $"'{status}' is not one of: {string.Join(", ", names.Keys)}");
                wanted = s;
            }
            JobView? job = null;
            var missing = await AskAsync<GetJobResult>(scheduler, new GetJob(id), r => (job = r.Job) is null ? ApiErrors.NotFound(id) : null!);
            if (missing is not null) return missing;
            return await AskAsync<ListRunsResult>(jobs.ActorRef, new ListRuns(id, max, wanted, life, job!.CreatedUtc), r => Results.Json(r.Runs, json));
        });

        api.MapGet("/{id}/next", async (string id, string? count, IRequiredActor<SchedulerProxy> scheduler) =>
        {
            if (!TryParseRange(count, 10, 1, 1000, out var n))
                return ApiErrors.BadRequest("count", $"must be a whole number between 1 and 1000, got '{count}'");
            return await AskAsync<object>(scheduler, new GetNextFireTimes(id, n), reply => reply switch
            {
                GetNextFireTimesResult r => Results.Json(new { jobId = id, times = r.Times }, json),
                CommandRejected r => ApiErrors.Rejected(r),
                _ => Results.StatusCode(500),
            });
        });
    }

    /// <summary>Query numbers are parsed here, not by binding, so a bad value gets our error shape.</summary>
    private static bool TryParseRange(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (text is null) return true;
        return int.TryParse(text, out value) && value >= min && value <= max;
    }

    private static Task<IResult> AskAsync<T>(IRequiredActor<SchedulerProxy> actor, object message, Func<T, IResult> map) =>
        AskAsync(actor.ActorRef, message, map);

    private static async Task<IResult> AskAsync<T>(IActorRef actor, object message, Func<T, IResult> map)
    {
        try
        {
            var reply = await actor.Ask<T>(message, AskTimeout);
            return map(reply);
        }
        catch (AskTimeoutException)
        {
            return ApiErrors.Unavailable("the scheduler");
        }
    }
}
