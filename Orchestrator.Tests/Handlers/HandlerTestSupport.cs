using System.Text.Json;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Tests.Handlers;

internal static class HandlerTestSupport
{
    public static readonly DateTimeOffset Scheduled = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static JobContext Context(string handler, string parametersJson, string item = "main", int attempt = 2, string? tenant = null) =>
        new("job-1", "run-42", item, attempt, Scheduled, new JobDefinition
        {
            Id = "job-1",
            Schedule = "manual",
            Handler = handler,
            Parameters = Json(parametersJson),
            Tenant = tenant,
        });

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition())
        {
            if (cts.IsCancellationRequested) return condition();
            try { await Task.Delay(50, cts.Token); } catch (OperationCanceledException) { }
        }
        return true;
    }
}
