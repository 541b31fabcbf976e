using System.CommandLine;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>Arguments and options several commands share, with their checks (a bad value is a usage error, exit 2).</summary>
public static class CommandParts
{
    public static Argument<string> Id(string name, string description) => new(name) { Description = description };

    public static Option<int?> Positive(string name, string description, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            HelpName = "n",
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (int.TryParse(text, out var n) && n >= 1) return n;
                r.AddError($"{name}: '{text}' is not a whole number of 1 or more");
                return null;
            },
        };

    public static Option<string?> InstantOrDuration(string name, string description, string helpName)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = helpName };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } v && !CliFormat.IsInstantOrDuration(v))
                r.AddError($"{name}: '{v}' is neither an instant (2026-11-29T10:00:00Z) nor a duration (30m, 2h, 7d)");
        });
        return option;
    }

    /// <summary>A path segment: ids are escaped, so a strange id reaches the node as typed (and gets its 404).</summary>
    public static string Segment(string id) => Uri.EscapeDataString(id);
}
