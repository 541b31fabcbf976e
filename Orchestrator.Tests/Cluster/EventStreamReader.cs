using System.Net.Http.Headers;
using System.Text.Json;

namespace Akka.Jobs.Tests.Cluster;

/// <summary>
/// Reads <c>GET /api/cluster/events</c> in the background from the moment it is opened, keeping every event's data
/// (and counting keep-alive comments) until it is disposed.
/// </summary>
public sealed class EventStreamReader : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(string Event, JsonElement Data)> _events = [];
    private readonly Task _pump;

    private EventStreamReader(HttpClient http, HttpResponseMessage response, Stream body)
    {
        _http = http;
        _response = response;
        _pump = Task.Run(() => PumpAsync(body));
    }

    /// <summary>The reply's content type, e.g. text/event-stream.</summary>
    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    /// <summary>How many <c>: keep-alive</c> comments have arrived.</summary>
    public int KeepAlives => Volatile.Read(ref _keepAlives);

    private int _keepAlives;

    /// <summary>True once the server ended the stream.</summary>
    public bool Ended { get; private set; }

    public static async Task<EventStreamReader> OpenAsync(Uri node, string? token = null)
    {
        // No client timeout: the stream is meant to stay open for the whole test.
        var http = new HttpClient { BaseAddress = node, Timeout = Timeout.InfiniteTimeSpan };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.GetAsync("/api/cluster/events", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new EventStreamReader(http, response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The data of the <c>member</c> events so far, in order.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_events) return _events.Where(e => e.Event == "member").Select(e => e.Data).ToList();
        }
    }

    /// <summary>True when an event of <paramref name="type"/> for <paramref name="address"/> has arrived.</summary>
    public bool Saw(string type, string address) =>
        Events.Any(e => e.GetProperty("type").GetString() == type && e.GetProperty("address").GetString() == address);

    public override string ToString() => string.Join(Environment.NewLine, Events.Select(e => e.ToString()));

    private async Task PumpAsync(Stream body)
    {
        try
        {
            using var reader = new StreamReader(body);
            string? name = null;
            string? data = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line == ": keep-alive") Interlocked.Increment(ref _keepAlives);
                else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line["data: ".Length..];
                else if (line.Length == 0 && data is not null)
                {
                    var element = JsonDocument.Parse(data).RootElement.Clone();
                    lock (_events) _events.Add((name ?? "message", element));
                    name = data = null;
                }
            }
            Ended = true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            Ended = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try { await _pump; } catch (Exception ex) when (ex is OperationCanceledException or IOException) { }
        _http.Dispose();
        _stop.Dispose();
    }
}
