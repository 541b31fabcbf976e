using System.Text.Json;
using Akka.Jobs.Actors.Handlers;
using Xunit;
using static Akka.Jobs.Tests.Handlers.HandlerTestSupport;

namespace Akka.Jobs.Tests.Handlers;

public sealed class ShellHandlerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-jobs-shell-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string Sh(string script, string? extra = null) =>
        $$"""{"command":"/bin/sh","args":["-c",{{JsonSerializer.Serialize(script)}}]{{extra}}}""";

    [Fact]
    public async Task Success_returns_output_and_script_sees_job_environment()
    {
        var script = "echo \"$AKKA_JOBS_JOB_ID|$AKKA_JOBS_RUN_ID|$AKKA_JOBS_ITEM|$AKKA_JOBS_ATTEMPT|$AKKA_JOBS_SCHEDULED_UTC|$GREETING|$COUNT|$FLAG\"; echo oops >&2";
        var ctx = Context("shell", Sh(script, ""","env":{"GREETING":"hello world","COUNT":3,"FLAG":true}"""), item: "tenant-a", attempt: 2);

        var result = await new ShellHandler().ExecuteAsync(ctx, CancellationToken.None);

        Assert.NotNull(result.Output);
        Assert.Contains("job-1|run-42|tenant-a|2|2026-03-04T05:06:07.0000000Z|hello world|3|true", result.Output);
        Assert.Contains("oops", result.Output);
    }

    [Fact]
    public async Task Working_directory_and_args_are_passed_without_shell_parsing()
    {
        var ctx = Context("shell", $$"""{"command":"/bin/sh","args":["-c","pwd; printf '%s\\n' \"$1\"","sh","a b; echo injected"],"workingDirectory":{{JsonSerializer.Serialize(_dir)}}}""");

        var result = await new ShellHandler().ExecuteAsync(ctx, CancellationToken.None);

        var lines = result.Output!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Path.GetFullPath(_dir), Path.GetFullPath(lines[0]));
        Assert.Equal("a b; echo injected", lines[1]);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task Nonzero_exit_is_a_retryable_exit_code_failure_with_output()
    {
        var ctx = Context("shell", Sh("echo last words; exit 3"));

        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => new ShellHandler().ExecuteAsync(ctx, CancellationToken.None));

        Assert.Equal("exit-code", ex.Kind);
        Assert.True(ex.Retryable);
        Assert.StartsWith("exit code 3:", ex.Message);
        Assert.Contains("last words", ex.Message);
    }

    [Fact]
    public async Task Output_is_trimmed_to_the_last_4_KB()
    {
        // 100 KB of 'x' in 1 KB lines, then an end marker
        var ctx = Context("shell", Sh("i=0; while [ $i -lt 100 ]; do head -c 1023 /dev/zero | tr '\\0' x; echo; i=$((i+1)); done; echo THE-END"));

        var result = await new ShellHandler().ExecuteAsync(ctx, CancellationToken.None);

        Assert.NotNull(result.Output);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(result.Output) <= 4096, $"output is {result.Output.Length} chars");
        Assert.True(result.Output.Length > 3000, "the tail should be kept, not dropped");
        Assert.EndsWith("THE-END\n", result.Output);
    }

    [Fact]
    public async Task Missing_command_is_a_non_retryable_start_failure()
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() =>
            new ShellHandler().ExecuteAsync(Context("shell", """{"args":["x"]}"""), CancellationToken.None));

        Assert.Equal("start-failed", ex.Kind);
        Assert.False(ex.Retryable);
        Assert.Contains("parameters.command", ex.Message);
    }

    [Fact]
    public async Task Command_that_cannot_start_is_a_non_retryable_start_failure_naming_it()
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() =>
            new ShellHandler().ExecuteAsync(Context("shell", """{"command":"/no/such/program-akka-jobs"}"""), CancellationToken.None));

        Assert.Equal("start-failed", ex.Kind);
        Assert.False(ex.Retryable);
        Assert.Contains("/no/such/program-akka-jobs", ex.Message);
    }

    [Fact]
    public async Task Cancellation_kills_the_whole_process_tree()
    {
        var pidFile = Path.Combine(_dir, "pidfile");
        var childPidFile = Path.Combine(_dir, "childpid");
        var ctx = Context("shell", $$"""{"command":"/bin/sh","args":["-c","sleep 60 & echo $! > childpid; echo $$ > pidfile; wait"],"workingDirectory":{{JsonSerializer.Serialize(_dir)}}}""");
        using var cts = new CancellationTokenSource();

        var run = new ShellHandler().ExecuteAsync(ctx, cts.Token);
        Assert.True(await WaitUntil(() => ReadPid(pidFile) is not null && ReadPid(childPidFile) is not null, TimeSpan.FromSeconds(10)),
            "the script did not write its pid files");
        var shellPid = ReadPid(pidFile)!.Value;
        var childPid = ReadPid(childPidFile)!.Value;
        Assert.True(IsAlive(shellPid));
        Assert.True(IsAlive(childPid));

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(await WaitUntil(() => !IsAlive(shellPid), TimeSpan.FromSeconds(10)), $"shell {shellPid} still runs");
        Assert.True(await WaitUntil(() => !IsAlive(childPid), TimeSpan.FromSeconds(10)), $"background child {childPid} still runs");
    }

    [Fact]
    public async Task Already_cancelled_token_does_not_start_anything()
    {
        var marker = Path.Combine(_dir, "ran");
        var ctx = Context("shell", $$"""{"command":"/bin/sh","args":["-c","touch ran"],"workingDirectory":{{JsonSerializer.Serialize(_dir)}}}""");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ShellHandler().ExecuteAsync(ctx, new CancellationToken(canceled: true)));
        Assert.False(File.Exists(marker));
    }

    private static int? ReadPid(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return int.TryParse(text, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The process exists and is not a zombie waiting to be reaped by an init that may not reap.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) S ..." — the state follows the last ')'
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
