using System.Net;
using System.Text;
using System.Text.Json;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>One node shared by the tests of a class; each test uses its own job ids.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private TestNode? _node;

    public TestNode Node => _node ?? throw new InvalidOperationException("node not started");

    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
    }
}

/// <summary>HTTP helpers for the API tests.</summary>
internal static class ApiTestSupport
{
    private static readonly HashSet<string> EndStatuses = ["succeeded", "failed", "timed-out", "cancelled", "skipped", "interrupted"];

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJson(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: body is not JSON: '{text}'", ex);
        }
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PutJob(this HttpClient http, string id, string json)
    {
        using var response = await http.PutAsync($"/api/jobs/{id}", JsonBody(json));
        return (response.StatusCode, await response.ReadJson());
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> Send(this HttpClient http, HttpMethod method, string path)
    {
        using var response = await http.SendAsync(new HttpRequestMessage(method, path));
        var body = response.StatusCode == HttpStatusCode.NoContent ? default : await response.ReadJson();
        return (response.StatusCode, body);
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> Send(this HttpClient http, HttpMethod method, string path, string json)
    {
        using var response = await http.SendAsync(new HttpRequestMessage(method, path) { Content = JsonBody(json) });
        return (response.StatusCode, response.StatusCode == HttpStatusCode.NoContent ? default : await response.ReadJson());
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> Get(this HttpClient http, string path) => http.Send(HttpMethod.Get, path);

    public static Task<(HttpStatusCode Status, JsonElement Body)> Post(this HttpClient http, string path) => http.Send(HttpMethod.Post, path);

    /// <summary>Triggers the job and returns the run id from the 202 reply.</summary>
    public static async Task<string> Trigger(this HttpClient http, string jobId)
    {
        var (status, body) = await http.Post($"/api/jobs/{jobId}/trigger");
        Assert.True(status == HttpStatusCode.Accepted, $"trigger {jobId}: {(int)status} {body}");
        return body.GetProperty("runId").GetString()!;
    }

    /// <summary>Polls <c>/runs</c> until the run has ended (any final status) and returns it.</summary>
    public static async Task<JsonElement> WaitForRunEnd(this HttpClient http, string jobId, string runId, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var cts = new CancellationTokenSource(limit);
        var last = "(not listed yet)";
        while (true)
        {
            var (status, runs) = await http.Get($"/api/jobs/{jobId}/runs");
            if (status == HttpStatusCode.OK)
            {
                foreach (var run in runs.EnumerateArray())
                {
                    if (run.GetProperty("runId").GetString() != runId) continue;
                    last = run.ToString();
                    if (EndStatuses.Contains(run.GetProperty("status").GetString()!)) return run;
                }
            }
            else last = $"{(int)status} {runs}";
            if (cts.IsCancellationRequested)
                throw new TimeoutException($"run {runId} did not end within {limit.TotalSeconds:0}s; last seen: {last}");
            try { await Task.Delay(200, cts.Token); } catch (OperationCanceledException) { }
        }
    }

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;
}
