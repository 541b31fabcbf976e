using System.CommandLine;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary><c>--endpoint</c>, <c>--token</c>, <c>--token-file</c>, <c>--output</c>: accepted before or after any command.</summary>
public sealed class GlobalOptions
{
    public const string DefaultEndpoint = "http://127.0.0.1:8080";

    public Option<string?> Endpoint { get; } = new("--endpoint", "-e")
    {
        Description = $"URL of a node's HTTP API (env AKKA_JOBS_ENDPOINT; default {DefaultEndpoint})",
        Recursive = true,
        HelpName = "url",
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Bearer token for the API (env AKKA_JOBS_TOKEN)",
        Recursive = true,
        HelpName = "token",
    };

    public Option<string?> TokenFile { get; } = new("--token-file")
    {
        Description = "File holding the bearer token, so it shows in neither ps nor shell history (env AKKA_JOBS_TOKEN_FILE)",
        Recursive = true,
        HelpName = "path",
    };

    public Option<string> Output { get; } = new Option<string>("--output", "-o")
    {
        Description = "table (for people) or json (the API's replies as they are)",
        Recursive = true,
        DefaultValueFactory = _ => "table",
        HelpName = "table|json",
    }.AcceptOnlyFromAmong("table", "json");

    public void AddTo(Command root)
    {
        root.Options.Add(Endpoint);
        root.Options.Add(Token);
        root.Options.Add(TokenFile);
        root.Options.Add(Output);
    }
}
