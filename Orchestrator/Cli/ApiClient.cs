using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>
/// The CLI's HTTP client: sends the token and <c>User-Agent: akka-jobs-cli/1</c>, and turns every failure into one
/// <see cref="CliFailure"/> line — the server's error text for a 4xx/5xx reply, "cannot reach …" when no node answers.
/// The token is only ever written to the Authorization header.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http;
    private readonly bool _hasToken;

    public ApiClient(Uri endpoint, string? token, HttpMessageHandler? handler = null)
    {
        Endpoint = endpoint;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = endpoint;
        _http.Timeout = Timeout.InfiniteTimeSpan; // per request below, so a stream (cluster tail) can stay open
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("akka-jobs-cli/1");
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            _hasToken = true;
        }
    }

    public Uri Endpoint { get; }

    public async Task<JsonElement> GetAsync(string path, CancellationToken ct) => (await SendAsync(HttpMethod.Get, path, null, ct)).Body;

    public async Task<JsonElement> PostAsync(string path, JsonNode? body, CancellationToken ct) => (await SendAsync(HttpMethod.Post, path, body, ct)).Body;

    /// <summary>GET that answers null for a 404 instead of failing.</summary>
    public async Task<JsonElement?> FindAsync(string path, CancellationToken ct)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, path, null, ct, notFoundIsAnswer: true);
        return status == HttpStatusCode.NotFound ? null : body;
    }

    /// <summary>Sends a request; a reply of 2xx gives its status and JSON body (undefined when empty), anything else throws.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct,
        bool notFoundIsAnswer = false)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await SendPacedAsync(method, path, body, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var json = Parse(text);
            if (!response.IsSuccessStatusCode && !(notFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound)) throw Failure(method, path, response.StatusCode, json);
            return (response.StatusCode, json);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliFailure($"cannot reach {Display} (no answer within {RequestTimeout.TotalSeconds:0}s)") { StopsAll = true };
        }
    }

    /// <summary>
    /// Sends the request; a 429 (the node's rate limit, met by a long batch such as <c>jobs add</c> of many files) is
    /// sent again after its Retry-After, a few times, within the request's timeout, so a batch slows down instead of
    /// failing half-way.
    /// </summary>
    private async Task<HttpResponseMessage> SendPacedAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path.TrimStart('/'));
            if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            var response = await _http.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == MaxPacedAttempts) return response;
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait < MaxPace ? wait : MaxPace, ct);
        }
    }

    private const int MaxPacedAttempts = 5;
    private static readonly TimeSpan MaxPace = TimeSpan.FromSeconds(5);

    /// <summary>Opens a streaming GET (server-sent events); the caller reads lines until the token is cancelled.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string path, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
            throw Failure(HttpMethod.Get, path, response.StatusCode, Parse(await response.Content.ReadAsStringAsync(ct)));
    }

    private string Display => Endpoint.GetLeftPart(UriPartial.Authority);

    private CliFailure Failure(HttpMethod method, string path, HttpStatusCode status, JsonElement body)
    {
        var error = body.ValueKind == JsonValueKind.Object ? body.Str("error") : null;
        var code = (int)status;
        if (status == HttpStatusCode.Unauthorized)
            return new CliFailure($"unauthorized: {error ?? "the node wants a bearer token"}" + (_hasToken ? "" : " (pass --token or set AKKA_JOBS_TOKEN)")) { StopsAll = true };
        if (status == HttpStatusCode.Forbidden) return new CliFailure($"forbidden: {error ?? "the token's role is too weak"}");
        if (error is not null) return new CliFailure(error);
        var request = $"{method} /{Uri.UnescapeDataString(path.TrimStart('/'))}";
        return status == HttpStatusCode.NotFound
            ? new CliFailure($"{request}: 404 Not Found (no such endpoint on this node; an older version?)")
            : new CliFailure($"{request}: {code} {status}");
    }

    private CliFailure Unreachable(HttpRequestException ex)
    {
        var reason = ex.InnerException is SocketException s
            ? s.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                SocketError.TimedOut => "timed out",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                _ => s.Message,
            }
            : ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "host not found",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse => "not an HTTP reply",
                _ => (ex.InnerException ?? ex).Message,
            };
        return new CliFailure($"cannot reach {Display} ({Table.Clean(reason)})") { StopsAll = true };
    }

    private static JsonElement Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return default;
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    public void Dispose() => _http.Dispose();
}
