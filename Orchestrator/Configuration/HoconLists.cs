using Akka.Configuration.Hocon;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>Reads a HOCON list of non-empty strings, or explains what the key must hold.</summary>
internal static class HoconLists
{
    public static IReadOnlyList<string> Strings(HoconValue value, string key, string what)
    {
        // HOCON does not call `[ ]` an array (it holds the empty array and the whitespace after it); GetArray reads both.
        var items = value.IsArray() || value.Values.Any(v => v is HoconArray) ? value.GetArray() : null;
        if (items is null || items.Any(v => !v.IsString() || string.IsNullOrWhiteSpace(v.GetString())))
            throw new ConfigException($"{key}: must be a list of {what}");
        return items.Select(v => v.GetString().Trim()).ToList();
    }
}
