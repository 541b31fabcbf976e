using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Outbound;
using Akka.Jobs.Domain.Secrets;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// Sends one HTTP request (handler name <c>http</c>). Parameters: <c>method</c> (default GET), <c>url</c>
/// (required, absolute http/https), <c>headers</c> (a string or <c>{ "secret": name }</c> each), <c>body</c> (a string,
/// or a JSON object/array sent as <c>application/json</c>), <c>contentType</c> (for a string body, default
/// <c>text/plain</c>), <c>bearerTokenSecret</c> (a named secret sent as a bearer token) and <c>followRedirects</c>.
/// 2xx succeeds; 408, 429 and 5xx fail as <c>http-&lt;code&gt;</c> (retryable); other statuses fail as <c>http-4xx</c>
/// (not retryable); network errors fail as <c>connection</c> and the client's own timeout as <c>timeout</c> (both
/// retryable). Not retryable: <c>secret</c> (a secret the job may not use), <c>address-denied</c> (a host or address
/// the outbound policy refuses) and <c>http-redirect</c> (a redirect not followed).
/// Redirects are followed only with <c>followRedirects: true</c>, at most <see cref="MaxRedirects"/>; once a hop leaves
/// the first URL's origin, none of <c>parameters.headers</c> and no bearer token is sent, and a 307/308 that would
/// resend the body there is refused (<c>http-redirect</c>).
/// </summary>
public sealed class HttpHandler(HttpClient client, ISecretStore secrets, OutboundPolicy policy) : IJobHandler
{
    /// <summary>The handler name used in definitions.</summary>
    public const string Name = HandlerParameterValidation.Http;

    /// <summary>Redirects followed at most (as browsers stop loops, only sooner: a job calls an API, not a site).</summary>
    public const int MaxRedirects = 5;

    /// <summary>How much of the response body is kept in the result or error.</summary>
    private const int BodySnippetBytes = 1024;

    /// <inheritdoc />
    public async Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var p = context.Parameters;
        var errors = HandlerParameterValidation.ValidateHttp(p);
        if (errors.Count > 0)
            throw Config($"invalid http parameters: {string.Join("; ", errors)}");
        HandlerParameterValidation.TryParseUrl(p.GetString("url"), out var url);
        var tenant = context.Definition.Tenant;
        var credentials = ResolveSecrets(p, tenant, url.IdnHost);
        var follow = p.TryGetProperty("followRedirects", out var f) && f.ValueKind == JsonValueKind.True;
        var origin = url;
        var method = new HttpMethod((p.GetString("method") ?? "GET").ToUpperInvariant());
        var withBody = true;

        for (var hop = 0; ; hop++)
        {
            var target = $"{method} {Display(url)}";
            if (policy.DenyHost(url.IdnHost, tenant) is { } denied)
                throw new JobHandlerException("address-denied", $"{target}: {denied}", retryable: false);
            if (!SameOrigin(url, origin)) credentials = null;

            var (code, snippet, location) = await SendAsync(p, method, url, withBody, credentials, target, cancellationToken).ConfigureAwait(false);
            if (code is 301 or 302 or 303 or 307 or 308 && location is not null)
            {
                var next = new Uri(url, location);
                if (!follow)
                    throw new JobHandlerException("http-redirect", $"{target}: HTTP {code} to {Display(next)}; set parameters.followRedirects to follow redirects", retryable: false);
                if (hop == MaxRedirects || next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                    throw new JobHandlerException("http-redirect", $"{target}: HTTP {code} to {Display(next)}: " +
                        (hop == MaxRedirects ? $"more than {MaxRedirects} redirects" : "not an http(s) URL"), retryable: false);
                // As browsers do: 303, and 301/302 after a POST, continue with a GET without body; 307/308 repeat the request.
                if ((code == 303 && method != HttpMethod.Head) || (code is 301 or 302 && method == HttpMethod.Post))
                {
                    method = HttpMethod.Get;
                    withBody = false;
                }
                // A 307/308 repeats the body, and a body is as likely as a header to carry a credential (a token in a
                // form, a signed payload): to another origin it is refused, not sent, and not silently dropped either
                // (a request without its body is a different request, which the job's author did not write).
                if (withBody && HandlerParameterValidation.TryGet(p, "body", out _) && !SameOrigin(next, origin))
                    throw new JobHandlerException("http-redirect", $"{target}: HTTP {code} to {Display(next)}: " +
                        "the request body is not sent to another origin; call that URL directly", retryable: false);
                url = next;
                continue;
            }

            var text = Mask(snippet.Length == 0 ? $"HTTP {code}" : $"HTTP {code}\n{snippet}");
            if (code is >= 200 and <= 299)
                return new HandlerResult(text);
            if (code is 408 or 429 or >= 500)
                throw new JobHandlerException($"http-{code}", $"{target}: {text}", retryable: true);
            throw new JobHandlerException("http-4xx", $"{target}: {text}", retryable: false);
        }
    }

    /// <summary>The status, the first ~1 KB of the body and a redirect's Location; failures as handler exceptions.</summary>
    private async Task<(int Code, string Snippet, Uri? Location)> SendAsync(JsonElement p, HttpMethod method, Uri url, bool withBody,
        Credentials? credentials, string target, CancellationToken cancellationToken)
    {
        using var request = BuildRequest(p, method, url, withBody, credentials);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var snippet = await ReadSnippetAsync(response.Content, cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode, snippet, response.Headers.Location);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"{target} was cancelled", ex, cancellationToken);
        }
        catch (OperationCanceledException ex)
        {
            throw new JobHandlerException("timeout", $"{target} timed out: {Mask(ex.Message)}", retryable: true, ex);
        }
        catch (Exception ex) when (Denied(ex) is { } denied)
        {
            throw new JobHandlerException("address-denied", $"{Display(url)}: {denied.Message}", retryable: false, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new JobHandlerException("connection", $"{target} failed: {Mask(ex.Message)}", retryable: true, ex);
        }
    }

    private static AddressDeniedException? Denied(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is AddressDeniedException d) return d;
        return null;
    }

    /// <summary>The secret values a request carries: the bearer token and secret headers, by header name.</summary>
    private sealed record Credentials(string? Bearer, IReadOnlyDictionary<string, string> Headers);

    private Credentials ResolveSecrets(JsonElement p, string? tenant, string host)
    {
        string Resolve(SecretReference r) =>
            secrets.TryResolve(r.Name, tenant, host, out var value, out var error)
                ? value
                : throw new JobHandlerException("secret", $"{r.Field}: {error}", retryable: false);
        string? bearer = null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        const string headerField = "parameters.headers.";
        foreach (var r in SecretReferences.Of(Name, p))
        {
            if (r.Field.StartsWith(headerField, StringComparison.Ordinal)) headers[r.Field[headerField.Length..]] = Resolve(r);
            else bearer = Resolve(r); // parameters.bearerTokenSecret
        }
        return new Credentials(bearer, headers);
    }

    /// <summary>
    /// The request to <paramref name="url"/>. Without <paramref name="credentials"/> (a hop to another origin) it has none
    /// of <c>parameters.headers</c> and no bearer token.
    /// </summary>
    private static HttpRequestMessage BuildRequest(JsonElement p, HttpMethod method, Uri url, bool withBody, Credentials? credentials)
    {
        var request = new HttpRequestMessage(method, url);
        try
        {
            if (withBody && HandlerParameterValidation.TryGet(p, "body", out var body))
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

            // To another origin no header of the job's is sent: a literal Cookie or X-Api-Key is as secret as a secret one.
            if (credentials is not null && HandlerParameterValidation.TryGet(p, "headers", out var headers))
            {
                foreach (var h in headers.EnumerateObject())
                {
                    string value;
                    if (h.Value.ValueKind == JsonValueKind.String)
                        value = h.Value.GetString()!;
                    else if (!credentials.Headers.TryGetValue(h.Name, out value!))
                        continue;
                    if (request.Headers.TryAddWithoutValidation(h.Name, value)) continue;
                    // A content header of a request without body (a GET after a redirect) is left out.
                    if (request.Content is null && !withBody) continue;
                    if (request.Content is null)
                        throw Config($"parameters.headers.{h.Name}: a content header needs a body");
                    request.Content.Headers.Remove(h.Name);
                    if (!request.Content.Headers.TryAddWithoutValidation(h.Name, value))
                        throw Config($"parameters.headers.{h.Name}: cannot be set");
                }
            }

            if (credentials?.Bearer is { } token)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>The URL as messages (attempt errors, which viewers read) show it: user info and query values hidden.</summary>
    public static string Display(Uri url) => ParameterRedaction.RedactUrl(url.AbsoluteUri);

    private string Mask(string text) => secrets.Mask(text);

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
