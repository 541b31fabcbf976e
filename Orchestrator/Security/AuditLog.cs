using System.Text.Json;
using Akka.Jobs.Orchestrator.Api;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Persistence.Audit;

namespace Akka.Jobs.Orchestrator.Security;

/// <summary>
/// Writes one audit entry per mutating call of the HTTP API and of the actor API. The entry names the caller (a
/// token's name, never the token), the action, the target (a job id, run id or address) and the outcome as the caller
/// saw it. A call whose entry cannot be written still answers, and the failure is logged as an error.
/// </summary>
public sealed class AuditLog(AuditStore store, TimeProvider clock, ILogger<AuditLog> log)
{
    private const string TargetKey = "akka-jobs.audit-target";

    public AuditStore Store => store;

    /// <summary>Names the call's target when it is not in the route (e.g. an address in the body).</summary>
    public static void SetTarget(HttpContext http, string target) => http.Items[TargetKey] = target;

    public Task RecordAsync(HttpContext http, Caller caller, string action, object? result, CancellationToken ct)
    {
        var target = http.Items.TryGetValue(TargetKey, out var t) && t is string s ? s : RouteTarget(http);
        var via = http.Request.Headers.UserAgent.ToString().StartsWith("akka-jobs-cli", StringComparison.Ordinal) ? "cli" : "api";
        return RecordAsync(caller.Name, action, target, Outcome(result), via, ct);
    }

    public async Task RecordAsync(string caller, string action, string target, string outcome, string via, CancellationToken ct)
    {
        try
        {
            await store.RecordAsync(clock.GetUtcNow(), caller, action, target, outcome, via, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError("Audit entry not written ({Caller} {Action} {Target}: {Outcome}): {Error}", caller, action, target, outcome, ex.Message);
        }
    }

    private static string RouteTarget(HttpContext http)
    {
        var values = http.Request.RouteValues;
        foreach (var key in new[] { "runId", "id" })
            if (values.TryGetValue(key, out var v) && v is string s) return s;
        return http.Request.Path.ToString();
    }

    /// <summary><c>ok</c> for a 2xx reply, else the status and the error the caller was shown.</summary>
    private static string Outcome(object? result)
    {
        if (result is null) return "error: the call failed inside the node (see its log)";
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? 200;
        if (status is >= 200 and < 300) return "ok";
        var error = "";
        if (result is IValueHttpResult { Value: { } value })
        {
            var json = JsonSerializer.SerializeToElement(value, ApiJson.Options);
            if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var e)) error = ": " + e.GetString();
        }
        var kind = status switch { 403 => "denied", 404 => "not found", 409 => "conflict", 503 => "unavailable", _ => "rejected" };
        return $"{kind} ({status}){error}";
    }
}
