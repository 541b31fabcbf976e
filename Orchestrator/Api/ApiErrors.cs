using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Serialization;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>The API's error shape: <c>{"error": "...", "field": "...", "errors": [...]}</c>.</summary>
public static class ApiErrors
{
    public static IResult BadRequest(IReadOnlyList<ValidationError> errors) =>
        Results.Json(new
        {
            error = errors.Count == 1 ? $"{errors[0].Field}: {errors[0].Message}" : $"{errors.Count} problems: " + string.Join("; ", errors),
            field = errors.Count > 0 ? errors[0].Field : null,
            errors = errors.Select(e => new { field = e.Field, message = e.Message }),
        }, ApiJson.Options, statusCode: 400);

    public static IResult BadRequest(string field, string message) => BadRequest([new ValidationError(field, message)]);

    public static IResult NotFound(string jobId) =>
        Results.Json(new { error = $"job '{jobId}' does not exist", field = "id" }, ApiJson.Options, statusCode: 404);

    public static IResult Forbidden(string message) => Results.Json(new { error = message }, ApiJson.Options, statusCode: 403);

    public static IResult Conflict(string message) => Results.Json(new { error = message, field = "id" }, ApiJson.Options, statusCode: 409);

    /// <summary>A reply no endpoint expects: a bug, reported as a 502 naming it rather than an empty 500.</summary>
    public static IResult Unexpected(object reply) =>
        Results.Json(new { error = $"the cluster answered with an unexpected {reply.GetType().Name}" }, ApiJson.Options, statusCode: 502);

    public static IResult Unavailable(string what) =>
        Results.Json(new { error = $"{what} did not answer in time; the cluster may be starting or failing over" }, ApiJson.Options, statusCode: 503);

    public static IResult Conflict(CommandRejected r) =>
        Results.Json(new { error = r.Errors.Count > 0 ? r.Errors[0].Message : $"job '{r.JobId}' changed while the request was in flight", field = "id" },
            ApiJson.Options, statusCode: 409);

    public static IResult Rejected(CommandRejected r) => r.Kind switch
    {
        RejectionKind.NotFound => NotFound(r.JobId),
        RejectionKind.Conflict => Conflict(r),
        RejectionKind.Unavailable => Unavailable("the cluster"),
        _ => BadRequest(r.Errors),
    };
}
