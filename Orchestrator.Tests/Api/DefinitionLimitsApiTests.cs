using System.Net;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>Definition caps through the API: a 400 naming the field (or the whole definition), and nothing stored.</summary>
public sealed class DefinitionLimitsApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static string List(int count, Func<int, string> item) => "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"{item(i)}\"")) + "]";

    public static TheoryData<string, string, string> Cases() => new()
    {
        { "description", $"\"description\":\"{new string('d', 2_001)}\"", "at most 2,000" },
        { "tags", $"\"tags\":{List(33, i => $"t{i}")}", "at most 32" },
        { "tags", $"\"tags\":[\"{new string('t', 65)}\"]", "at most 64 characters" },
        { "tenant", $"\"tenant\":\"{new string('t', 65)}\"", "at most 64 characters" },
        { "timeZone", $"\"timeZone\":\"{new string('z', 65)}\"", "at most 64" },
        { "schedule", $"\"schedule\":\"{string.Concat(Enumerable.Repeat("* ", 200))}\"", "at most 256" },
        { "handler", $"\"handler\":\"{new string('h', 65)}\"", "is not a valid handler name" },
        { "parameters", $"\"parameters\":{{\"text\":\"{new string('p', 33_000)}\"}}", "at most 32,768" },
        { "parameters", $"\"parameters\":{string.Concat(Enumerable.Repeat("{\"a\":", 16))}{{}}{new string('}', 16)}", "deeper than 16" },
        { "entities", $"\"entities\":[\"{new string('e', 257)}\"]", "at most 256 characters" },
        { "entities", "\"entities\":[\"a\\n[FAKE] forged line\"]", "control characters" },
        { "entities", "\"entities\":[\"a\\u001b[31m\"]", "control characters" },
        { "retry.maxBackoff", "\"retry\":{\"maxBackoff\":\"2d\"}", "at most 1 day" },
        { "retry.nonRetryable", $"\"retry\":{{\"nonRetryable\":{List(33, i => $"k{i}")}}}", "at most 32" },
        { "pauseAfter", "\"pauseAfter\":10001", "between 0 and 10000" },
        { "maxParallel", "\"maxParallel\":10001", "between 1 and 10000" },
        // Every field within its cap, the whole too large for a cluster message (a ~100 KB body, under the 256 KB limit).
        { "definition", $"\"entities\":{List(8_000, i => $"entity-{i:00000}")}", "bytes serialized; at most 65,536 fit a cluster message" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_field_beyond_its_cap_is_a_400_naming_it_and_nothing_is_stored(string field, string json, string message)
    {
        var id = "cap-" + Guid.NewGuid().ToString("N")[..8];
        var body = "{\"schedule\":\"manual\",\"handler\":\"noop\"," + json + "}";
        if (json.StartsWith("\"schedule\"")) body = "{\"handler\":\"noop\"," + json + "}";
        if (json.StartsWith("\"handler\"")) body = "{\"schedule\":\"manual\"," + json + "}";

        var (status, reply) = await fixture.Node.Http.PutJob(id, body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {reply}");
        Assert.Equal(field, reply.Str("field"));
        Assert.Contains(message, reply.Str("error"));
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Node.Http.Get($"/api/jobs/{id}")).Status);
    }
}
