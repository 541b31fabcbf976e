using Akka.Jobs.Domain.Definitions;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// Runs a program (handler name <c>shell</c>). Parameters: <c>command</c> (required), <c>args</c> (array of
/// strings, passed as is without shell parsing), <c>env</c> (object), <c>workingDirectory</c>.
/// The program also sees <c>AKKA_JOBS_JOB_ID</c>, <c>AKKA_JOBS_RUN_ID</c>, <c>AKKA_JOBS_ITEM</c>,
/// <c>AKKA_JOBS_ATTEMPT</c> and <c>AKKA_JOBS_SCHEDULED_UTC</c>. Exit code 0 succeeds with the last 4 KB of
/// stdout+stderr; another exit code fails with kind <c>exit-code</c> (retryable); a program that cannot be
/// started fails with <c>start-failed</c> (not retryable). On cancellation the whole process tree is killed.
/// </summary>
public sealed class ShellHandler(TimeProvider? timeProvider = null) : IJobHandler
{
    /// <summary>The handler name used in definitions.</summary>
    public const string Name = HandlerParameterValidation.Shell;

    /// <summary>How long to wait after exit for output still held open by background children.</summary>
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for a killed process to be reaped.</summary>
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public async Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var p = context.Parameters;
        var errors = HandlerParameterValidation.ValidateShell(p);
        if (errors.Count > 0)
            throw new JobHandlerException("start-failed", $"invalid shell parameters: {string.Join("; ", errors)}", retryable: false);

        var command = p.GetString("command")!;
        var psi = new ProcessStartInfo(command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        if (HandlerParameterValidation.TryGet(p, "args", out var args))
            foreach (var a in args.EnumerateArray())
                psi.ArgumentList.Add(a.GetString()!);
        if (p.GetString("workingDirectory") is { } wd)
            psi.WorkingDirectory = wd;
        if (HandlerParameterValidation.TryGet(p, "env", out var env))
            foreach (var e in env.EnumerateObject())
                psi.Environment[e.Name] = e.Value.ValueKind switch
                {
                    JsonValueKind.String => e.Value.GetString(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => e.Value.GetRawText(),
                };
        psi.Environment["AKKA_JOBS_JOB_ID"] = context.JobId;
        psi.Environment["AKKA_JOBS_RUN_ID"] = context.RunId;
        psi.Environment["AKKA_JOBS_ITEM"] = context.ItemKey;
        psi.Environment["AKKA_JOBS_ATTEMPT"] = context.Attempt.ToString(CultureInfo.InvariantCulture);
        psi.Environment["AKKA_JOBS_SCHEDULED_UTC"] = context.ScheduledUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

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

        try { process.StandardInput.Close(); } catch (IOException) { /* exited already */ }

        var tail = new OutputTail();
        var drain = Task.WhenAll(Pump(process.StandardOutput, tail), Pump(process.StandardError, tail));

        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await KillTreeAsync(process).ConfigureAwait(false);
            throw new OperationCanceledException($"'{command}' was cancelled and its process tree killed", cancellationToken);
        }

        // A background child may still hold the pipes open: wait a little, then report what we have.
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
