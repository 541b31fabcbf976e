using Akka.Jobs.Orchestrator.Api;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Configuration;

namespace Akka.Jobs.Orchestrator.Security;

/// <summary>
/// Who calls <c>/api</c>: the bearer token is checked before any endpoint runs (401 when missing or unknown, with
/// nothing about why it is unknown), and each endpoint states the role it needs (<see cref="Allow"/>, 403 when the
/// caller's is too weak). With no token configured every caller is <see cref="Caller.Anonymous"/>; the node then
/// listens on loopback only (checked when the configuration is loaded).
/// </summary>
public static class ApiSecurity
{
    private const string CallerKey = "akka-jobs.caller";

    /// <summary>
    /// Authenticates every <c>/api</c> request; health probes and static files stay open. The token is read first, the
    /// rate limiter (keyed by it) runs next, and only then is a missing or unknown token answered: a flood of bad tokens
    /// is limited like any other caller's, before it writes audit rows.
    /// </summary>
    public static void UseApiAuthentication(this WebApplication app)
    {
        var tokens = app.Services.GetRequiredService<NodeOptions>().Tokens;
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api")
                && (tokens.IsOpen ? Domain.Access.Caller.Anonymous : Authenticate(context, tokens)) is { } caller)
                context.Items[CallerKey] = caller;
            await next(context);
        });
        app.UseApiRateLimit();
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api") || context.Items.ContainsKey(CallerKey))
            {
                await next(context);
                return;
            }
            // A refused attempt to change something is worth knowing about; reads are not recorded.
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
                await context.RequestServices.GetRequiredService<AuditLog>().RecordAsync("unauthenticated",
                    $"http.{context.Request.Method.ToLowerInvariant()}", ApiQuery.Clip(context.Request.Path.ToString()), "denied (401)", "api", CancellationToken.None);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Json(new { error = "missing or unknown bearer token: send 'Authorization: Bearer <token>'" }, ApiJson.Options, statusCode: 401)
                .ExecuteAsync(context);
        });
    }

    /// <summary>The caller whose token this request presented, or null (none yet, or unknown).</summary>
    public static Caller? AuthenticatedCaller(HttpContext context) => context.Items.TryGetValue(CallerKey, out var c) ? c as Caller : null;

    /// <summary>The authenticated caller of this request.</summary>
    public static Caller Caller(this HttpContext context) =>
        context.Items.TryGetValue(CallerKey, out var c) && c is Caller caller ? caller : throw new InvalidOperationException("request was not authenticated");

    /// <summary>
    /// The endpoint needs <paramref name="role"/>. With an <paramref name="auditAction"/> it is a mutating call: its
    /// outcome (including a refusal) is written to the audit log before the reply is sent.
    /// </summary>
    public static RouteHandlerBuilder Allow(this RouteHandlerBuilder endpoint, Role role, string? auditAction = null) =>
        endpoint.AddEndpointFilter(async (ctx, next) =>
        {
            var http = ctx.HttpContext;
            var caller = http.Caller();
            var refusal = caller.Refusal(role, auditAction ?? "read");
            if (auditAction is null) return refusal is null ? await next(ctx) : ApiErrors.Forbidden(refusal);
            object? result = null;
            try
            {
                result = refusal is null ? await next(ctx) : ApiErrors.Forbidden(refusal);
                return result;
            }
            finally
            {
                // Written even when the caller has gone (the change may still have happened) and when the handler threw.
                await http.RequestServices.GetRequiredService<AuditLog>().RecordAsync(http, caller, auditAction, result, CancellationToken.None);
            }
        });

    private static Caller? Authenticate(HttpContext context, ApiTokens tokens)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var presented = header[scheme.Length..].Trim();
        return presented.Length == 0 ? null : tokens.Authenticate(presented);
    }
}
