using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Akka.Jobs.Orchestrator.Configuration;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>
/// Job definitions read from a file for <c>jobs add -f</c>, each as the JSON the API takes: a JSON object with "id",
/// a JSON array of them, or HOCON <c>akka.jobs.definitions { id { … } }</c> or top-level <c>id { … }</c> objects
/// (converted by <see cref="HoconJson.DefinitionToJson"/>, as the node does for its own file). A file that cannot be
/// read is a usage error naming the file: nothing is sent.
/// </summary>
public static class DefinitionFile
{
    public static IReadOnlyList<(string Id, JsonObject Definition)> Read(string path)
    {
        if (!File.Exists(path)) throw CliFailure.Usage($"{path}: no such file");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliFailure.Usage($"{path}: {ex.Message}");
        }
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var first = text.TrimStart().FirstOrDefault();
        var definitions = ext == ".json" || first == '[' || (first == '{' && ext is not ".hocon" and not ".conf" && LooksLikeJson(text))
            ? FromJson(path, text)
            : FromHocon(path, text);
        if (definitions.Count == 0) throw CliFailure.Usage($"{path}: no job definitions found");
        var duplicate = definitions.GroupBy(d => d.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw CliFailure.Usage($"{path}: job '{duplicate.Key}' is defined twice");
        return definitions;
    }

    private static bool LooksLikeJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static List<(string Id, JsonObject Definition)> FromJson(string path, string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw CliFailure.Usage($"{path}: not valid JSON: {ex.Message}");
        }
        var items = root switch
        {
            JsonObject o => [o],
            JsonArray a => a.Select((n, i) => n as JsonObject ?? throw CliFailure.Usage($"{path}: item {i + 1} is not a JSON object")).ToList(),
            _ => throw CliFailure.Usage($"{path}: expected a job definition object or an array of them"),
        };
        return items.Select((o, i) =>
        {
            var id = o["id"] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)
                ? s
                : throw CliFailure.Usage($"{path}: {(items.Count == 1 ? "the definition" : $"item {i + 1}")} has no \"id\"");
            return (id, o);
        }).ToList();
    }

    private static List<(string Id, JsonObject Definition)> FromHocon(string path, string text)
    {
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception ex)
        {
            throw CliFailure.Usage($"{path}: not valid HOCON or JSON: {Table.Clean(ex.Message)}");
        }
        HoconValue root;
        if (config.HasPath("akka.jobs.definitions")) root = config.GetValue("akka.jobs.definitions");
        else if (config.Root is { } top && top.IsObject() && !top.GetObject().Items.ContainsKey("akka")) root = top;
        else return [];
        if (!root.IsObject()) throw CliFailure.Usage($"{path}: akka.jobs.definitions must be an object of job-id = {{ … }}");
        var result = new List<(string Id, JsonObject Definition)>();
        foreach (var (id, value) in root.GetObject().Items)
        {
            if (!value.IsObject()) throw CliFailure.Usage($"{path}: job '{id}' must be an object {{ schedule = …, handler = … }}");
            result.Add((id, HoconJson.DefinitionToJson(value)));
        }
        return result;
    }
}
