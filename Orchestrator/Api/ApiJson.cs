using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Jobs.Contracts.Serialization;
using Akka.Jobs.Domain.Schedules;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>
/// JSON of the HTTP API: the shared settings, with durations written the way people write them (<c>1h30m</c>, not
/// <c>01:30:00</c>). Journal and wire payloads keep <see cref="JobsJson"/>, so nothing stored changes shape.
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JobsJson.Options);
        o.Converters.Add(new DurationConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    private sealed class DurationConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && DurationParser.TryParse(reader.GetString(), out var span)
                ? span
                : throw new JsonException("expected a duration such as 10s, 5m or 1h30m");

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteStringValue(DurationParser.Format(value));
    }
}
