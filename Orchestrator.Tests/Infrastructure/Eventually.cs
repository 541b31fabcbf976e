using System.Net.Http.Json;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Contracts.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Infrastructure;

/// <summary>Waiting on conditions against real nodes (real time), and the history invariants tests check.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until true; HTTP errors while a node starts or fails over count as "not yet".</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan patience, ITestOutputHelper? output = null)
    {
        var until = TimeProvider.System.GetUtcNow() + patience;
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                output?.WriteLine($"waiting for {what}: {ex.GetType().Name} {ex.Message}");
            }
            if (TimeProvider.System.GetUtcNow() > until) throw new TimeoutException($"{what}: not within {patience}");
            await Task.Delay(250);
        }
    }

    /// <summary>A job's runs through the HTTP API, newest first.</summary>
    public static async Task<IReadOnlyList<RunView>> RunsAsync(this HttpClient http, string jobId) =>
        (await http.GetFromJsonAsync<List<RunView>>($"/api/jobs/{jobId}/runs?limit=500", Orchestrator.Api.ApiJson.Options))!;

    /// <summary>
    /// No scheduled time has two records, and every fire time of an every-<paramref name="interval"/>
    /// job between the oldest and the newest record is a run or inside a skip record.
    /// </summary>
    public static void AssertEachTimeOnce(IReadOnlyList<RunView> runs, TimeSpan interval)
    {
        var times = runs.Select(r => r.ScheduledUtc).ToList();
        Assert.Equal(times.Count, times.Distinct().Count());
        var ordered = runs.OrderBy(r => r.ScheduledUtc).ToList();
        var covered = ordered.Sum(r => r.Status == RunStatus.Skipped ? r.SkippedTimes : 1);
        Assert.Equal((int)((ordered[^1].ScheduledUtc - ordered[0].ScheduledUtc) / interval) + 1, covered);
    }
}
