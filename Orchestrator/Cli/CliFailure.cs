namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>
/// An operation that did not succeed, reported as one line <c>akka-jobs: {Message}</c> and the exit code: 1 for a
/// failed operation (the node refused or could not be reached), 2 for bad arguments.
/// </summary>
public sealed class CliFailure(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>Every further request would fail the same way (no node answers, the token is refused): stop now.</summary>
    public bool StopsAll { get; init; }

    public static CliFailure Usage(string message) => new(message, ExitCodes.Usage);
}

/// <summary>The CLI's exit codes.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
}
