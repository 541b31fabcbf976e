using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>Reading the API's JSON replies for display: absent and null read the same, values become plain text.</summary>
public static class JsonText
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Indented(JsonElement e) => JsonSerializer.Serialize(e, Pretty);

    public static string OneLine(JsonElement e) => JsonSerializer.Serialize(e, Compact);

    public static JsonElement? Prop(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string? Str(this JsonElement e, string name) => e.Prop(name) is { } v ? Text(v) : null;

    public static long? Num(this JsonElement e, string name) => e.Prop(name) is { ValueKind: JsonValueKind.Number } v ? v.GetInt64() : null;

    public static bool Flag(this JsonElement e, string name) => e.Prop(name) is { ValueKind: JsonValueKind.True };

    public static DateTimeOffset? Time(this JsonElement e, string name) =>
        e.Prop(name) is { ValueKind: JsonValueKind.String } v
        && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string? name = null)
    {
        var array = name is null ? e : e.Prop(name);
        return array is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray() : [];
    }

    /// <summary>Any value as text a person reads: arrays comma-separated, objects as key=value pairs, never raw JSON.</summary>
    public static string Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() ?? "",
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Array => string.Join(", ", v.EnumerateArray().Select(Text)),
        JsonValueKind.Object => string.Join(", ", v.EnumerateObject().Select(p => $"{p.Name}={Text(p.Value)}")),
        _ => "",
    };
}
