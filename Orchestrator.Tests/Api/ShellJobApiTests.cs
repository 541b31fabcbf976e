using System.Net;
using System.Text.Json;
using Akka.Jobs.Tests.Handlers;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>
/// The shell handler end to end through the API: retries with real (1 s) backoff, non-retryable kinds, and what a
/// program cannot reach or leave behind.
/// </summary>
public sealed class ShellJobApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private HttpClient Http => fixture.Node.Http;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Fails_twice_then_succeeds_on_the_third_attempt()
    {
        const string json = """
            {"schedule":"manual","handler":"shell",
             "parameters":{"command":"/bin/sh","args":["-c","echo attempt $AKKA_JOBS_ATTEMPT; test \"$AKKA_JOBS_ATTEMPT\" -ge 3"]},
             "retry":{"maxAttempts":3,"initialBackoff":"1s","maxBackoff":"1s","jitter":0}}
            """;
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("shell-flaky", json)).Status);

        var runId = await Http.Trigger("shell-flaky");
        var run = await Http.WaitForRunEnd("shell-flaky", runId, RunTimeout);

        Assert.Equal("succeeded", run.Str("status"));
        Assert.Equal(3, run.GetProperty("attempts").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(run.Str("node")), run.ToString());
    }

    [Fact]
    public async Task Non_retryable_kind_fails_after_one_attempt()
    {
        const string json = """
            {"schedule":"manual","handler":"shell",
             "parameters":{"command":"/bin/sh","args":["-c","echo failing; exit 3"]},
             "retry":{"maxAttempts":5,"initialBackoff":"1s","maxBackoff":"1s","jitter":0,"nonRetryable":["exit-code"]}}
            """;
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("shell-fatal", json)).Status);

        var runId = await Http.Trigger("shell-fatal");
        var run = await Http.WaitForRunEnd("shell-fatal", runId, RunTimeout);

        Assert.Equal("failed", run.Str("status"));
        Assert.Equal(1, run.GetProperty("attempts").GetInt32());
        Assert.Contains("exit code 3", run.Str("error"));
    }

    [Fact]
    public async Task Retryable_failure_uses_every_attempt_then_fails()
    {
        const string json = """
            {"schedule":"manual","handler":"shell",
             "parameters":{"command":"/bin/sh","args":["-c","exit 1"]},
             "retry":{"maxAttempts":2,"initialBackoff":"1s","maxBackoff":"1s","jitter":0}}
            """;
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("shell-always-fails", json)).Status);

        var runId = await Http.Trigger("shell-always-fails");
        var run = await Http.WaitForRunEnd("shell-always-fails", runId, RunTimeout);

        Assert.Equal("failed", run.Str("status"));
        Assert.Equal(2, run.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Timed_out_shell_run_has_its_process_killed_and_is_recorded_timed_out()
    {
        var pidFile = Path.Combine(Path.GetTempPath(), $"akka-jobs-timeout-{Guid.NewGuid():N}.pid");
        var json = $$$"""
            {"schedule":"manual","handler":"shell","timeout":"2s",
             "parameters":{"command":"/bin/sh","args":["-c","echo $$ > {{{pidFile}}}; exec sleep 120"]}}
            """;
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("shell-timeout", json)).Status);

        var runId = await Http.Trigger("shell-timeout");
        var run = await Http.WaitForRunEnd("shell-timeout", runId, RunTimeout);

        Assert.Equal("timed-out", run.Str("status"));
        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim());
        var until = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (IsAlive(pid) && TimeProvider.System.GetUtcNow() < until) await Task.Delay(100);
        Assert.False(IsAlive(pid), $"process {pid} still runs after its run timed out");
        File.Delete(pidFile);
    }

    [Fact]
    public async Task Run_output_holds_none_of_the_nodes_environment()
    {
        using var variable = new UniqueNodeVariable();
        const string json = """{"schedule":"manual","handler":"shell","parameters":{"command":"/bin/sh","args":["-c","env"]}}""";
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("shell-env", json)).Status);

        var run = await Http.WaitForRunEnd("shell-env", await Http.Trigger("shell-env"), RunTimeout);

        Assert.Equal("succeeded", run.Str("status"));
        Assert.Contains("AKKA_JOBS_JOB_ID=shell-env", run.Str("output"));
        variable.AssertAbsentFrom(run.Str("output"));
    }

    [Fact]
    public async Task Timed_out_run_leaves_no_orphaned_background_process()
    {
        var marker = ShellProcesses.Marker();
        using var dir = new TempDir();
        // The subshell exits at once, so its sleep is nobody's child: only the process group still reaches it. The file
        // says it was started, however late the program got going on a busy machine.
        var json = JsonSerializer.Serialize(new
        {
            schedule = "manual", handler = "shell", timeout = "5s",
            parameters = new { command = "/bin/sh", args = new[] { "-c", $"(sleep {marker} &); touch started; exec sleep 120" }, workingDirectory = dir.Path },
        });
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("shell-orphan-timeout", json)).Status);

        var run = await Http.WaitForRunEnd("shell-orphan-timeout", await Http.Trigger("shell-orphan-timeout"), RunTimeout);

        Assert.Equal("timed-out", run.Str("status"));
        Assert.True(File.Exists(Path.Combine(dir.Path, "started")), "the program did not start its background sleep before the timeout");
        await Eventually.UntilAsync(() => Task.FromResult(ShellProcesses.Find("sleep", marker).Count == 0), $"sleep {marker} gone after the timeout", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Cancelled_run_leaves_no_orphaned_background_process()
    {
        var marker = ShellProcesses.Marker();
        var json = JsonSerializer.Serialize(new
        {
            schedule = "manual", handler = "shell",
            parameters = new { command = "/bin/sh", args = new[] { "-c", $"(sleep {marker} &); exec sleep 120" } },
        });
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("shell-orphan-cancel", json)).Status);

        var runId = await Http.Trigger("shell-orphan-cancel");
        await Eventually.UntilAsync(() => Task.FromResult(ShellProcesses.Find("sleep", marker).Count == 1), $"sleep {marker} started", RunTimeout);
        var (status, body) = await Http.Post($"/api/runs/{runId}/cancel");
        Assert.True(status == HttpStatusCode.Accepted, $"{(int)status} {body}");

        Assert.Equal("cancelled", (await Http.WaitForRunEnd("shell-orphan-cancel", runId, RunTimeout)).Str("status"));
        await Eventually.UntilAsync(() => Task.FromResult(ShellProcesses.Find("sleep", marker).Count == 0), $"sleep {marker} gone after the cancel", TimeSpan.FromSeconds(30));
    }

    /// <summary>Alive unless gone or a zombie waiting to be reaped (PID 1 may reap late in sandboxes).</summary>
    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
