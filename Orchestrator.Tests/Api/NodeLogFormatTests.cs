using System.Net;
using System.Text.Json;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>A node started with <c>AKKA_JOBS_LOG_FORMAT=json</c> writes one JSON object per line, Akka's own entries included.</summary>
public sealed class NodeLogFormatTests
{
    private const string Config = """
        akka.jobs.definitions {
          log-me { schedule = manual, handler = noop }
        }
        """;

    [Fact]
    public async Task A_node_with_the_json_log_format_writes_parseable_json_lines()
    {
        var dir = Directory.CreateTempSubdirectory("akka-jobs-logjson-").FullName;
        try
        {
            var config = Path.Combine(dir, "node.hocon");
            await File.WriteAllTextAsync(config, Config);
            await using var node = NodeProcess.Start(dir, config, Path.Combine(dir, "jobs.db"), NodeProcess.FreePort(), NodeProcess.FreePort(),
                new Dictionary<string, string> { ["AKKA_JOBS_LOG_FORMAT"] = "json" });
            await node.WaitReadyAsync(TimeSpan.FromSeconds(120));
            using (var trigger = await node.Http.PostAsync("/api/jobs/log-me/trigger", null))
                Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);

            // Akka's run lines come through the same JSON console.
            var until = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(60);
            while (!node.Output.Contains("Run finished") && TimeProvider.System.GetUtcNow() < until) await Task.Delay(200);
            var lines = node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains(lines, l => l.Contains("Run finished"));
            foreach (var line in lines)
            {
                using var entry = JsonDocument.Parse(line); // throws, naming the line, when it is not JSON
                Assert.True(entry.RootElement.TryGetProperty("Message", out _) || entry.RootElement.TryGetProperty("message", out _), line);
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { /* the process may still hold a file */ }
        }
    }
}
