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
        var token = parse.GetValue(Options.Token) ?? NonBlank(Env("AKKA_JOBS_TOKEN"));
        var json = parse.GetValue(Options.Output) == "json";
        var width = int.TryParse(Env("COLUMNS"), out var columns) && columns is >= 40 and <= 1000 ? columns : 80;
        return new CliContext(Out, Err, new ApiClient(endpoint, token, handler), json, clock, width);
    }

    private static string? NonBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
