using System.Net;
using System.Text;
using Akka.Jobs.Orchestrator.Cli;
using Xunit;

namespace Akka.Jobs.Tests.CliTests;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Err)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Err}";
}

/// <summary>
/// Runs <c>akka-jobs</c> in-process through <see cref="Cli.RunAsync(string[], CliHost, CancellationToken)"/>. Every run in
/// table mode is checked to fit 80 columns, and stderr never shows a stack trace or the token.
/// </summary>
public static class CliRunner
{
    public const int Width = 80;

    public static Task<CliResult> Run(string endpoint, params string[] args) => Run(["--endpoint", endpoint, .. args], env: null);

    public static async Task<CliResult> Run(string[] args, Func<string, string?>? env = null, HttpMessageHandler? handler = null, CancellationToken ct = default)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new CliHost(stdout, stderr, env ?? (_ => null), TimeProvider.System, handler);
        var code = await Cli.RunAsync(args, host, ct);
        var result = new CliResult(code, stdout.ToString(), stderr.ToString());
        var help = args.Any(a => a is "--help" or "-h" or "-?");
        var json = args.Contains("json");
        if (!help && !json)
            foreach (var line in result.OutLines)
                Assert.True(line.Length <= Width, $"line wider than {Width} columns ({line.Length}):\n{line}\n{result}");
        Assert.DoesNotContain("   at ", result.Err);
        Assert.DoesNotContain("Exception", result.Err);
        return result;
    }

    /// <summary>Some stdout line matches; on failure the whole output is shown.</summary>
    public static void AssertLine(CliResult result, Func<string, bool> match, string what) =>
        Assert.True(result.OutLines.Any(match), $"no line {what}\n{result}");

    public static void AssertExit(int expected, CliResult result) => Assert.True(result.ExitCode == expected, $"expected exit {expected}\n{result}");
}

/// <summary>Answers requests from a table of "METHOD /path" → (status, JSON), recording what was sent.</summary>
public sealed class FakeApi : HttpMessageHandler
{
    private readonly Dictionary<string, (HttpStatusCode Status, string Body, string ContentType)> _replies = [];

    public List<(string Request, string? Body, string? Authorization, string? UserAgent)> Requests { get; } = [];

    public FakeApi Reply(string request, HttpStatusCode status, string json, string contentType = "application/json")
    {
        _replies[request] = (status, json, contentType);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var key = $"{request.Method} {request.RequestUri!.PathAndQuery}";
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(ct);
        Requests.Add((key, body, request.Headers.Authorization?.ToString(), request.Headers.UserAgent.ToString()));
        if (!_replies.TryGetValue(key, out var reply)) return new HttpResponseMessage(HttpStatusCode.NotFound);
        return new HttpResponseMessage(reply.Status) { Content = new StringContent(reply.Body, Encoding.UTF8, reply.ContentType) };
    }
}
