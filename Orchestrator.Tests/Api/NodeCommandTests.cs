using System.Diagnostics;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>
/// <c>akka-jobs run</c> as a process: a configuration with an invalid job makes it exit with code 2 and
/// an error naming the job and the field, before anything starts.
/// </summary>
public sealed class NodeCommandTests
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string, string, string> InvalidJobs => new()
    {
        { "bad-cron", """bad-cron { schedule = "61 * * * *", handler = noop }""", "schedule" },
        { "no-handler", """no-handler { schedule = manual, handler = nothing-registered }""", "handler" },
        { "bad-zone", """bad-zone { schedule = "0 3 * * *", time-zone = "Mars/Olympus_Mons", handler = noop }""", "time-zone" },
        { "Bad_Id", """Bad_Id { schedule = manual, handler = noop }""", "id" },
        { "negative-attempts", """negative-attempts { schedule = manual, handler = noop, retry { max-attempts = -1 } }""", "retry.max-attempts" },
        { "shell-no-command", """shell-no-command { schedule = manual, handler = shell, parameters { args = ["-c", "true"] } }""", "parameters.command" },
    };

    [Theory]
    [MemberData(nameof(InvalidJobs))]
    public async Task Invalid_job_in_config_exits_with_2_naming_job_and_field(string jobId, string hocon, string field)
    {
        using var dir = new TempDir();
        var config = Path.Combine(dir.Path, "jobs.hocon");
        await File.WriteAllTextAsync(config, $$"""
            akka.jobs.definitions {
              valid-one { schedule = "@every 1h", handler = noop }
              {{hocon}}
            }
            """);

        var (exitCode, stdout, stderr) = await RunNode(dir.Path, "run", "--config", config, "--db", Path.Combine(dir.Path, "node.db"),
            "--port", "0", "--http", "http://127.0.0.1:0");

        Assert.True(exitCode == 2, $"exit code {exitCode}; stdout: {stdout}; stderr: {stderr}");
        Assert.Contains($"job '{jobId}': {field}:", stderr);
        Assert.DoesNotContain("valid-one", stderr);
    }

    [Fact]
    public async Task Missing_config_file_exits_with_2()
    {
        using var dir = new TempDir();
        var (exitCode, stdout, stderr) = await RunNode(dir.Path, "run", "--config", Path.Combine(dir.Path, "absent.hocon"),
            "--db", Path.Combine(dir.Path, "node.db"), "--port", "0", "--http", "http://127.0.0.1:0");

        Assert.True(exitCode == 2, $"exit code {exitCode}; stdout: {stdout}; stderr: {stderr}");
        Assert.Contains("absent.hocon", stderr);
    }

    /// <summary>Runs <c>dotnet akka-jobs.dll</c> (copied next to the tests) and returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunNode(string workingDirectory, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "akka-jobs.dll");
        Assert.True(File.Exists(dll), $"{dll} not found: the test project must reference the Orchestrator");
        var psi = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var name in new[] { "AKKA_JOBS_CONFIG", "AKKA_JOBS_DB", "AKKA_JOBS_PORT", "AKKA_JOBS_HTTP", "AKKA_JOBS_SEEDS", "AKKA_JOBS_ROLES", "AKKA_JOBS_HOSTNAME" })
            psi.Environment.Remove(name);

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(ProcessTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"akka-jobs {string.Join(' ', args)} did not exit within {ProcessTimeout.TotalSeconds:0}s; stdout: {await stdout}; stderr: {await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("akka-jobs-cli-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
