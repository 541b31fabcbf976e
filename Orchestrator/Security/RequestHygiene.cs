using Akka.Jobs.Orchestrator.Api;
using Akka.Jobs.Orchestrator.Configuration;
using Microsoft.Extensions.Primitives;

namespace Akka.Jobs.Orchestrator.Security;

/// <summary>
/// Refusals made before authentication, from headers alone, so no endpoint (and no audit row) sees the request:
/// a Host header the node does not answer to (400: DNS rebinding points a foreign name at 127.0.0.1), a mutating call
/// sent by a page of another origin (403: a browser sends form posts and body-less POSTs to any address without asking),
/// a mutating call whose body would exceed the limit (413) or is not declared JSON (415: another content type, or a
/// body without Content-Type).
/// </summary>
public static class RequestHygiene
{
    /// <summary>Host names a node listening on loopback answers to, on any port.</summary>
    public static readonly IReadOnlyList<string> LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    public static void UseRequestHygiene(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<NodeOptions>();
        var hosts = AllowedHosts(options);
        var patterns = hosts.Contains("*") ? null : hosts.Select(h => new StringSegment(h)).ToList();
        var maxBody = options.ApiLimits.MaxRequestBodyBytes;
        app.Use(async (context, next) =>
        {
            if (Refusal(context.Request, patterns, maxBody) is { } refusal)
            {
                // Past Kestrel's ceiling the rest of the body cannot be drained: say so, rather than leave the connection to reuse.
                if (context.Request.ContentLength > options.ApiLimits.TransportMaxRequestBodyBytes) context.Response.Headers.Connection = "close";
                await refusal.ExecuteAsync(context);
                return;
            }
            await next(context);
        });
    }

    /// <summary>
    /// The configured list, else: loopback names when the API listens on loopback (a browser on this machine is the
    /// only client, and a rebinding page is its threat); any host when it listens beyond loopback, where tokens are
    /// required, a rebinding page has no token to send, and the names clients use (container, proxy) are unknown here.
    /// </summary>
    public static IReadOnlyList<string> AllowedHosts(NodeOptions options) =>
        options.ApiLimits.AllowedHosts
        ?? (Uri.TryCreate(options.Http, UriKind.Absolute, out var url) && NodeConfigLoader.IsLoopback(url) ? LoopbackHosts : ["*"]);

    /// <summary>The reply refusing the request, or null to let it through. Patterns null: any host.</summary>
    public static IResult? Refusal(HttpRequest request, IList<StringSegment>? hosts, long maxBody)
    {
        if (hosts is not null && (!request.Host.HasValue || !HostString.MatchesAny(request.Host.Value, hosts)))
            return Results.Json(new
            {
                error = $"host '{ApiQuery.Clip(request.Host.Value ?? "")}' is not allowed: this node answers to {string.Join(", ", hosts)} (akka.jobs.api.allowed-hosts)",
                field = "Host",
            }, ApiJson.Options, statusCode: 400);
        if (!IsMutating(request.Method)) return null;
        if (CrossSite(request) is { } why)
            return Results.Json(new { error = $"cross-site request refused: {why}; call the API from a client, not from a web page of another origin" },
                ApiJson.Options, statusCode: 403);
        if (request.ContentLength > maxBody) return ApiBody.TooLarge(maxBody);
        return ApiBody.NotDeclaredJson(request);
    }

    public static bool IsMutating(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method) || HttpMethods.IsPatch(method);

    /// <summary>Why a browser sent this request from another origin, or null. Clients other than browsers send neither header.</summary>
    private static string? CrossSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        // "same-site" includes another port of the same host: a dev server on localhost:3000 is same-site with the node.
        if (site.Length > 0 && site != "same-origin" && site != "none") return $"Sec-Fetch-Site is '{ApiQuery.Clip(site)}'";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return null;
        // The host and port are compared, not the scheme: behind a TLS-terminating proxy the page is https and the
        // node sees http, and no other page can be served from the node's own host and port.
        var own = request.Host.Value ?? "";
        return Uri.TryCreate(origin, UriKind.Absolute, out var url) && string.Equals(url.Authority, own, StringComparison.OrdinalIgnoreCase)
               && string.Equals(url.GetLeftPart(UriPartial.Authority), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            ? null
            : $"Origin '{ApiQuery.Clip(origin)}' is not this node ({own})";
    }
}
