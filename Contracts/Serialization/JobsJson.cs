using System.Text.Json;
using System.Text.Json.Serialization;

namespace Akka.Jobs.Contracts.Serialization;

/// <summary>The JSON settings of every payload, journal entry and API body: camelCase, enums as kebab-case strings.</summary>
public static class JobsJson
{
    /// <summary>Shared, read-only options.</summary>
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
