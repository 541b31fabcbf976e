using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Akka.Jobs.Tests.Infrastructure;

/// <summary>
/// A real <c>akka-jobs run</c> process (the published Orchestrator next to the test assembly), so
/// tests can kill -9 it and start it again on the same database.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, int httpPort)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Http { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static NodeProcess Start(string workDir, string configPath, string db, int httpPort, int remotingPort,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "akka-jobs.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        foreach (var a in new[] { dll, "run", "--config", configPath, "--db", db, "--port", remotingPort.ToString(), "--http", $"http://127.0.0.1:{httpPort}" })
            psi.ArgumentList.Add(a);
        return new NodeProcess(Process.Start(psi)!, httpPort);
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Polls <c>/readyz</c> until 200 or the process exits.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var until = TimeProvider.System.GetUtcNow() + timeout;
        while (TimeProvider.System.GetUtcNow() < until)
        {
            if (_process.HasExited) throw new InvalidOperationException($"node exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var r = await Http.GetAsync("/readyz");
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"node not ready within {timeout}:\n{Output}");
    }

    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    /// <summary>SIGKILL, no shutdown hooks; the process tree goes too so no orphan handler survives the test.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(30_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Http.Dispose();
    }
}
