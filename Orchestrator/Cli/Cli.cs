using System.CommandLine;
using System.CommandLine.Help;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>
/// The <c>akka-jobs</c> command line: <c>run</c> starts a node; the other commands operate one through its HTTP API,
/// in Petabridge.Cmd's vocabulary. Exit codes: 0 success, 1 failed operation, 2 bad arguments.
/// </summary>
public static class Cli
{
    /// <summary>Runs the command line and returns the exit code. Never throws; never prints a stack trace.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> env, CancellationToken ct = default) =>
        RunAsync(args, new CliHost(stdout, stderr, env, TimeProvider.System), ct);

    /// <summary>As above with a given host (tests pass a fake HTTP handler).</summary>
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken ct = default)
    {
        var root = Build(host);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var error in parse.Errors) host.Err.WriteLine($"akka-jobs: {OneLine(error.Message)}");
            var command = string.Join(' ', Path(parse.CommandResult));
            host.Err.WriteLine($"Try 'akka-jobs {(command.Length > 0 ? command + " " : "")}--help'.");
            return ExitCodes.Usage;
        }
        var invocation = new InvocationConfiguration { Output = host.Out, Error = host.Err, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(invocation, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception ex)
        {
            host.Err.WriteLine($"akka-jobs: unexpected error: {Table.Clean(ex.Message)}");
            return ExitCodes.Failed;
        }
    }

    private static RootCommand Build(CliHost host)
    {
        var root = new RootCommand("Akka.Jobs: a clustered job orchestrator on Akka.NET. 'run' starts a node; the other commands operate one through its HTTP API.")
        {
            RunCommand.Create(host.Out, host.Err, host.Env),
            ClusterCommands.Create(host),
            ShardingCommands.Create(host),
            JobsCommands.Create(host),
            RunsCommands.Create(host),
            AuditCommand.Create(host),
        };
        host.Options.AddTo(root);
        return root;
    }

    /// <summary>"Must be one of:\n\t'table'\n\t'json'" → "Must be one of: 'table', 'json'".</summary>
    private static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length <= 1 ? message.Trim() : lines[0] + " " + string.Join(", ", lines.Skip(1));
    }

    /// <summary>The command's names below the root: "jobs add".</summary>
    private static IEnumerable<string> Path(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent) names.Push(r.Command.Name);
        return names;
    }
}
