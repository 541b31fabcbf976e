using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// Reads request bodies: JSON only, at most the node's <c>akka.jobs.api.max-request-body</c> (Kestrel enforces a ceiling
/// above it, up to which it drains a refused body so the client sees the 413), every failure a 4xx naming the problem.
/// </summary>
public static class ApiBody
{
    public static async Task<(JsonDocument? Body, IResult? Error)> ReadJson(HttpRequest request, bool optional = false)
    {
        var maxBytes = request.HttpContext.RequestServices.GetRequiredService<Configuration.NodeOptions>().ApiLimits.MaxRequestBodyBytes;
        if (optional && request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any()) return (null, null);
        if (NotDeclaredJson(request) is { } refusal) return (null, refusal);
        if (request.ContentLength > maxBytes) return (null, TooLarge(maxBytes));
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
            {
                if (limited.Length + read > maxBytes) return (null, TooLarge(maxBytes));
                limited.Write(buffer, 0, read);
            }
            limited.Position = 0;
            var document = JsonDocument.Parse(limited, new JsonDocumentOptions { MaxDepth = 32 });
            if (optional && document.RootElement.ValueKind == JsonValueKind.Undefined) return (null, null);
            if (FirstInvalidText(document.RootElement, "body") is { } field)
            {
                document.Dispose();
                return (null, ApiErrors.BadRequest(field, "contains an escape that is not text: a lone surrogate such as \\ud800"));
            }
            return (document, null);
        }
        catch (JsonException ex)
        {
            return (null, ApiErrors.BadRequest("body", $"malformed JSON: {ex.Message}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes)); // Kestrel's ceiling: above this limit, so met only if it is ever set lower
        }
        catch (BadHttpRequestException ex)
        {
            return (null, ApiErrors.BadRequest("body", ex.Message));
        }
    }

    /// <summary>413 naming the limit.</summary>
    public static IResult TooLarge(long maxBytes) =>
        Results.Json(new { error = $"body is larger than {maxBytes:N0} bytes (akka.jobs.api.max-request-body)", field = "body" }, ApiJson.Options, statusCode: 413);

    /// <summary>
    /// 415 when a body is not declared JSON: a content type other than JSON, or a body sent without Content-Type (a
    /// client must say what it sends; body-less calls such as trigger, pause and resume need no header); else null.
    /// </summary>
    public static IResult? NotDeclaredJson(HttpRequest request) =>
        request.ContentType is { } type ? (IsJson(type) ? null : NotJson(type))
        : HasBody(request) ? Results.Json(new { error = "a request body needs the header Content-Type: application/json", field = "Content-Type" },
            ApiJson.Options, statusCode: 415)
        : null;

    /// <summary>
    /// Whether the request carries a body: a Content-Length above zero, or none and a body all the same (chunked, or an
    /// HTTP/2 stream not ended with its headers).
    /// </summary>
    public static bool HasBody(HttpRequest request) =>
        request.ContentLength is { } length ? length > 0
        : request.Headers.TransferEncoding.Count > 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;

    /// <summary>415 naming the type sent.</summary>
    public static IResult NotJson(string type) =>
        Results.Json(new { error = $"content type '{ApiQuery.Clip(type)}' is not supported: send application/json", field = "body" }, ApiJson.Options, statusCode: 415);

    /// <summary><c>application/json</c>, <c>text/json</c> or <c>application/*+json</c>, with any parameters; not <c>application/jsonx</c>.</summary>
    public static bool IsJson(string contentType) =>
        System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType is { } m
        && (m.Equals("application/json", StringComparison.OrdinalIgnoreCase) || m.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || (m.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && m.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// The path of the first string or property name that escapes a lone surrogate (<c>"\ud800"</c>): valid JSON that is
    /// not text, so reading it throws. Checked once here, so no endpoint meets it.
    /// </summary>
    private static string? FirstInvalidText(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return IsText(() => e.GetString()) ? null : path;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray())
                    if (FirstInvalidText(item, $"{path}[{i++}]") is { } inItem) return inItem;
                return null;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (!IsText(() => p.Name)) return path;
                    if (FirstInvalidText(p.Value, path == "body" ? p.Name : $"{path}.{p.Name}") is { } inValue) return inValue;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool IsText(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
