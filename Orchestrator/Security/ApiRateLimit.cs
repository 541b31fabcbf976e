using System.Threading.RateLimiting;
using Akka.Jobs.Orchestrator.Api;
using Akka.Jobs.Orchestrator.Configuration;
using Microsoft.AspNetCore.RateLimiting;

namespace Akka.Jobs.Orchestrator.Security;

/// <summary>
/// ASP.NET Core's rate limiter over the API's mutating calls: one token bucket per caller (the token's name, or the
/// remote address when the caller is anonymous or unauthenticated), 429 with Retry-After when it is empty. Reads are
/// never limited. A refused call writes no audit row: it reached no endpoint and changed nothing, and a row per refusal
/// would let a flood write rows at the flood's pace, the thing the limiter is there to stop. When the limit is off the
/// middleware is not installed at all.
/// </summary>
public static class ApiRateLimit
{
    public static IServiceCollection AddApiRateLimit(this IServiceCollection services, RateLimit limit)
    {
        if (limit.IsOff) return services;
        return services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, limit));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (rejected, _) => Reject(rejected, limit);
        });
    }

    /// <summary>Runs after the bearer token is read (so a token's calls share one bucket) and before a 401 is answered.</summary>
    public static void UseApiRateLimit(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<NodeOptions>().ApiLimits.RateLimit.IsOff) app.UseRateLimiter();
    }

    private static RateLimitPartition<string> Partition(HttpContext context, RateLimit limit)
    {
        if (!context.Request.Path.StartsWithSegments("/api") || !RequestHygiene.IsMutating(context.Request.Method))
            return RateLimitPartition.GetNoLimiter("reads");
        var caller = ApiSecurity.AuthenticatedCaller(context);
        var key = caller is not null && !ReferenceEquals(caller, Domain.Access.Caller.Anonymous)
            ? "token:" + caller.Name
            : "address:" + context.Connection.RemoteIpAddress;
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = limit.RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask Reject(OnRejectedContext rejected, RateLimit limit)
    {
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
        rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Results.Json(new
        {
            error = $"too many changes: each caller may make {limit.Burst} at once and {limit.RequestsPerSecond} a second after that " +
                    $"(akka.jobs.api.rate-limit); retry after {seconds} s",
        }, ApiJson.Options, statusCode: 429).ExecuteAsync(rejected.HttpContext);
    }
}
