using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Secrets;
using System.ComponentModel;
using System.Diagnostics;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// Runs a program (handler name <c>shell</c>). Parameters: <c>command</c> (required), <c>args</c> (array of
/// strings, passed as is without shell parsing), <c>env</c> (object), <c>workingDirectory</c>, <c>runAs</c> (a user the
/// node lists in <c>akka.jobs.shell.run-as</c>). The program's environment is built by <see cref="ShellEnvironment"/>:
/// none of the node's variables but a few basic ones. It leads its own process group, which is killed when the attempt
/// ends for any reason, so nothing it started in the background outlives the attempt (a child that makes a session of
/// its own escapes this). Exit code 0 succeeds with the last 4 KB of stdout+stderr; another exit code fails with kind
/// <c>exit-code</c> (retryable); a program that cannot be started fails with <c>start-failed</c>, and a job this node's
/// <see cref="ShellPolicy"/> refuses with <c>handler-disabled</c> (neither retryable).
/// </summary>
/// <param name="nodeEnvironment">Reads the node's variables; the process environment unless a test gives its own.</param>
public sealed class ShellHandler(ShellPolicy? policy = null, TimeProvider? timeProvider = null, Func<string, string?>? nodeEnvironment = null,
    ISecretStore? secrets = null) : IJobHandler
{
    /// <summary>The handler name used in definitions.</summary>
    public const string Name = HandlerParameterValidation.Shell;

    /// <summary>
    /// How long to wait after exit for output still held open. The program's group is killed at its exit, which closes
    /// the pipes of everything it left behind; only a child that made a session of its own can still hold them.
    /// </summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for a killed process to be reaped.</summary>
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(10);

    private readonly ShellPolicy _policy = policy ?? ShellPolicy.Default;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Func<string, string?> _nodeEnvironment = nodeEnvironment ?? Environment.GetEnvironmentVariable;
    private readonly ISecretStore _secrets = secrets ?? SecretStore.Empty;

    /// <inheritdoc />
    public async Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var p = context.Parameters;
        var errors = HandlerParameterValidation.ValidateShell(p);
        if (errors.Count > 0)
            throw new JobHandlerException("start-failed", $"invalid shell parameters: {string.Join("; ", errors)}", retryable: false);
        // The node that registered the job may allow what this node does not.
        var refused = _policy.Check(context.Definition);
        if (refused.Count > 0)
            throw new JobHandlerException("handler-disabled", string.Join("; ", refused.Select(e => $"{e.Field}: {e.Message}")), retryable: false);

        var user = p.GetString(HandlerParameterValidation.RunAs) is { } name ? RunAsUser(name) : null;
        var environment = ShellEnvironment.Build(context, _policy, _nodeEnvironment, user?.Home, _secrets);
        var command = p.GetString("command")!;
        var workingDirectory = p.GetString("workingDirectory");
        var program = ShellCommand.Resolve(command, environment["PATH"], workingDirectory);
        var args = HandlerParameterValidation.TryGet(p, "args", out var a) ? a.EnumerateArray().Select(x => x.GetString()!) : [];
        var psi = ShellCommand.StartInfo(program, args, user, environment, workingDirectory);

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is Win32Exception or FileNotFoundException or DirectoryNotFoundException or InvalidOperationException)
        {
            var where = psi.WorkingDirectory.Length > 0 ? $" in '{psi.WorkingDirectory}'" : "";
            throw new JobHandlerException("start-failed", $"cannot start '{command}'{where}: {ex.Message}", retryable: false, ex);
        }
        var group = process.Id;

        try { process.StandardInput.Close(); } catch (IOException) { /* exited already */ }

        var tail = new OutputTail();
        var drain = Task.WhenAll(Pump(process.StandardOutput, tail), Pump(process.StandardError, tail));

        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ProcessGroup.Kill(group);
            await KillTreeAsync(process).ConfigureAwait(false);
            throw new OperationCanceledException($"'{command}' was cancelled and its process group killed", cancellationToken);
        }
        // What the program left running ends with it. Its own output is in the pipes already and is read to the end.
        ProcessGroup.Kill(group);

        using (var graceCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await Task.WhenAny(drain, Task.Delay(DrainGrace, _time, graceCts.Token)).ConfigureAwait(false);
            await graceCts.CancelAsync().ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();

        var output = tail.ToString();
        return process.ExitCode == 0
            ? new HandlerResult(output)
            : throw new JobHandlerException("exit-code", $"exit code {process.ExitCode}: {output}", retryable: true);
    }

    /// <summary>The user to run as; only root can switch users.</summary>
    private static UnixUser RunAsUser(string name)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new JobHandlerException("start-failed", $"runAs '{name}': the node does not run as root, so it cannot start programs as another user", retryable: false);
        return UnixUser.Find(name)
            ?? throw new JobHandlerException("start-failed", $"runAs '{name}': there is no such user on this node", retryable: false);
    }

    private async Task KillTreeAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // exited already, or some part of the tree could not be signalled; nothing more to do
        }

        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(KillGrace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // not reaped in time; the caller still sees the cancellation
        }
    }

    /// <summary>Copies a stream into the tail until it ends; never throws.</summary>
    private static async Task Pump(StreamReader reader, OutputTail tail)
    {
        var buffer = new char[4096];
        try
        {
            int n;
            while ((n = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
                tail.Append(buffer.AsSpan(0, n));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the process went away or was disposed; keep what we read
        }
    }
}
