using System.CommandLine;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>
/// Where the CLI runs: its writers, environment, clock and (in tests) an HTTP handler. Builds each command's
/// <see cref="CliContext"/> from the global options and turns a <see cref="CliFailure"/> into one line and an exit code.
/// </summary>
public sealed class CliHost(TextWriter output, TextWriter error, Func<string, string?> env, TimeProvider clock, HttpMessageHandler? handler = null)
{
    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;
    public Func<string, string?> Env { get; } = env;
    public GlobalOptions Options { get; } = new();

    /// <summary>Sets the command's action: it gets a context for the node, and any failure is one line on stderr.</summary>
    public void SetAction(Command command, Func<CliContext, ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                using var context = CreateContext(parse);
                return await action(context, parse, ct);
            }
            catch (CliFailure failure)
            {
                Fail(failure);
                return failure.ExitCode;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 130;
            }
        });

    public void Fail(CliFailure failure) => Err.WriteLine($"akka-jobs: {failure.Message}");

    private CliContext CreateContext(ParseResult parse)
    {
        var endpointText = parse.GetValue(Options.Endpoint) ?? NonBlank(Env("AKKA_JOBS_ENDPOINT")) ?? GlobalOptions.DefaultEndpoint;
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != "http" && endpoint.Scheme != "https"))
            throw CliFailure.Usage($"--endpoint: '{endpointText}' is not an http(s) URL such as {GlobalOptions.DefaultEndpoint}");
        if (!endpoint.AbsolutePath.EndsWith('/')) endpoint = new Uri(endpoint + "/");
        var token = parse.GetValue(Options.Token) ?? NonBlank(Env("AKKA_JOBS_TOKEN")) ?? TokenFromFile(parse.GetValue(Options.TokenFile) ?? NonBlank(Env("AKKA_JOBS_TOKEN_FILE")));
        // A token sent in clear text to another machine can be read on the way.
        if (token is not null && endpoint.Scheme == "http" && !Configuration.NodeConfigLoader.IsLoopback(endpoint))
            Err.WriteLine($"akka-jobs: warning: the token goes to {endpoint.Host} over plain http; use https beyond this machine");
        var json = parse.GetValue(Options.Output) == "json";
        var width = int.TryParse(Env("COLUMNS"), out var columns) && columns is >= 40 and <= 1000 ? columns : 80;
        return new CliContext(Out, Err, new ApiClient(endpoint, token, handler), json, clock, width);
    }

    private static string? NonBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>The token in <paramref name="path"/> (first line, trimmed); a missing or empty file is a usage error naming it.</summary>
    private static string? TokenFromFile(string? path)
    {
        if (path is null) return null;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var why = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => "unreadable",
            };
            throw CliFailure.Usage($"--token-file: cannot read '{path}' ({why})");
        }
        return NonBlank(text.Split('\n')[0]) ?? throw CliFailure.Usage($"--token-file: '{path}' is empty");
    }
}
