using Akka.Jobs.Domain.Definitions;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// Sends one HTTP request (handler name <c>http</c>). Parameters: <c>method</c> (default GET), <c>url</c>
/// (required, absolute http/https), <c>headers</c>, <c>body</c> (a string, or a JSON object/array sent as
/// <c>application/json</c>), <c>contentType</c> (for a string body, default <c>text/plain</c>) and
/// <c>bearerTokenEnv</c> (an environment variable holding a bearer token). 2xx succeeds; 408, 429 and 5xx
/// fail as <c>http-&lt;code&gt;</c> (retryable); other statuses fail as <c>http-4xx</c> (not retryable);
/// network errors fail as <c>connection</c> and the client's own timeout as <c>timeout</c> (both retryable).
/// </summary>
public sealed class HttpHandler(HttpClient client) : IJobHandler
{
    /// <summary>The handler name used in definitions.</summary>
    public const string Name = HandlerParameterValidation.Http;

    /// <summary>How much of the response body is kept in the result or error.</summary>
    private const int BodySnippetBytes = 1024;

    /// <inheritdoc />
    public async Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var request = BuildRequest(context.Parameters);
        var target = $"{request.Method} {request.RequestUri}";

        HttpStatusCode status;
        string snippet;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            status = response.StatusCode;
            snippet = await ReadSnippetAsync(response.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"{target} was cancelled", ex, cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            throw new JobHandlerException("timeout", $"{target} timed out: {ex.Message}", retryable: true, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new JobHandlerException("connection", $"{target} failed: {ex.Message}", retryable: true, ex);
        }

        var code = (int)status;
        var text = snippet.Length == 0 ? $"HTTP {code}" : $"HTTP {code}\n{snippet}";
        if (code is >= 200 and <= 299)
            return new HandlerResult(text);
        if (code is 408 or 429 or >= 500)
            throw new JobHandlerException($"http-{code}", $"{target}: {text}", retryable: true);
        throw new JobHandlerException("http-4xx", $"{target}: {text}", retryable: false);
    }

    private static HttpRequestMessage BuildRequest(JsonElement p)
    {
        var errors = HandlerParameterValidation.ValidateHttp(p);
        if (errors.Count > 0)
            throw Config($"invalid http parameters: {string.Join("; ", errors)}");

        HandlerParameterValidation.TryParseUrl(p.GetString("url"), out var url);
        var method = new HttpMethod((p.GetString("method") ?? "GET").ToUpperInvariant());
        var request = new HttpRequestMessage(method, url);
        try
        {
            if (HandlerParameterValidation.TryGet(p, "body", out var body))
            {
                if (body.ValueKind == JsonValueKind.String)
                {
                    request.Content = new StringContent(body.GetString()!, Encoding.UTF8);
                    var contentType = p.GetString("contentType");
                    request.Content.Headers.ContentType = contentType is null
                        ? new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" }
                        : MediaTypeHeaderValue.Parse(contentType);
                }
                else
                {
                    request.Content = new StringContent(body.GetRawText(), Encoding.UTF8, "application/json");
                }
            }

            if (HandlerParameterValidation.TryGet(p, "headers", out var headers))
            {
                foreach (var h in headers.EnumerateObject())
                {
                    var value = h.Value.GetString()!;
                    if (request.Headers.TryAddWithoutValidation(h.Name, value)) continue;
                    if (request.Content is null)
                        throw Config($"parameters.headers.{h.Name}: a content header needs a body");
                    request.Content.Headers.Remove(h.Name);
                    if (!request.Content.Headers.TryAddWithoutValidation(h.Name, value))
                        throw Config($"parameters.headers.{h.Name}: cannot be set");
                }
            }

            if (p.GetString("bearerTokenEnv") is { } tokenEnv)
            {
                var token = Environment.GetEnvironmentVariable(tokenEnv);
                if (string.IsNullOrEmpty(token))
                    throw Config($"environment variable '{tokenEnv}' (parameters.bearerTokenEnv) is not set on this node");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private static JobHandlerException Config(string message) => new("config", message, retryable: false);

    /// <summary>The first ~1 KB of the body as text, without reading the rest.</summary>
    private static async Task<string> ReadSnippetAsync(HttpContent content, CancellationToken ct)
    {
        var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[BodySnippetBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false)) > 0)
                read += n;
            var truncated = read > BodySnippetBytes;
            var length = Math.Min(read, BodySnippetBytes);
            // do not cut a UTF-8 sequence in half
            if (truncated)
                while (length > 0 && (buffer[length] & 0xC0) == 0x80) length--;
            var text = Encoding.UTF8.GetString(buffer, 0, length);
            return truncated ? text + "…" : text;
        }
    }
}
