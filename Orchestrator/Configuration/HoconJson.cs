using System.Text.Json.Nodes;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// Converts a HOCON job definition into the JSON form the API takes, so both paths share one
/// reader. Definition keys are kebab-case in HOCON (<c>max-attempts</c>) and camelCase in JSON;
/// keys inside <c>parameters</c> are kept as written (they are env names, headers…).
/// </summary>
public static class HoconJson
{
    public static JsonObject DefinitionToJson(HoconValue definition)
    {
        var obj = (JsonObject)Convert(definition, camelKeys: true)!;
        if (definition.GetObject().Items.TryGetValue("parameters", out var parameters))
            obj["parameters"] = Convert(parameters, camelKeys: false);
        return obj;
    }

    private static JsonNode? Convert(HoconValue value, bool camelKeys)
    {
        if (value.IsObject())
        {
            var o = new JsonObject();
            foreach (var (key, child) in value.GetObject().Items)
                o[camelKeys ? Camel(key) : key] = Convert(child, camelKeys);
            return o;
        }
        if (value.IsArray())
            return new JsonArray(value.GetArray().Select(v => Convert(v, camelKeys)).ToArray());
        if (value.IsString())
        {
            var s = value.GetString();
            return s is null ? null : JsonValue.Create(s);
        }
        return null;
    }

    /// <summary><c>max-attempts</c> → <c>maxAttempts</c>.</summary>
    public static string Camel(string kebab)
    {
        var parts = kebab.Split('-', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 0 ? kebab : parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    /// <summary>Parses a HOCON file with a clear error naming the file.</summary>
    public static Config ParseFile(string path)
    {
        try
        {
            return ConfigurationFactory.ParseString(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is not FileNotFoundException)
        {
            throw new ConfigException($"{path}: {ex.Message}");
        }
    }
}
