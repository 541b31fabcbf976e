using System.Diagnostics;
using System.Text;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.ActorApi;

/// <summary>examples/ExternalService as a process of its own, against a real node, as a user runs it.</summary>
public sealed class ExternalServiceExampleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Example_registers_triggers_and_prints_the_run_events_until_success()
    {
        await using var node = await TestNode.StartAsync();
        var receptionist = node.Address + "/system/receptionist";

        var (exit, stdout) = await RunExample(receptionist, "external-hello");

        output.WriteLine(stdout);
        Assert.Equal(0, exit);
        Assert.Contains("registered external-hello (created: True)", stdout);
        Assert.Contains("run event started run=external-hello@", stdout);
        Assert.Contains("run event succeeded run=external-hello@", stdout);
        Assert.Contains("output=hello from external", stdout);
    }

    private static async Task<(int Exit, string Output)> RunExample(params string[] args)
    {
        var dll = ExampleDll();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var text = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (text) text.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (text) text.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the example did not exit within 90 s:\n{text}");
        }
        lock (text) return (process.ExitCode, text.ToString());
    }

    /// <summary>The example's build output, of the same configuration as this test assembly.</summary>
    private static string ExampleDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent!.Name; // …/bin/<configuration>/net10.0/
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Akka.Jobs.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var dll = Path.Combine(dir.FullName, "examples", "ExternalService", "bin", configuration, "net10.0", "Akka.Jobs.Examples.ExternalService.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        return dll;
    }
}
