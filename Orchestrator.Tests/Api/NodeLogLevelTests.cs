using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>The node logs run lines at INFO unless its config's akka section says otherwise.</summary>
public sealed class NodeLogLevelTests
{
    [Fact]
    public async Task A_node_logs_at_info_by_default()
    {
        await using var node = await TestNode.StartAsync();
        var system = node.Services.GetRequiredService<ActorSystem>();
        Assert.Equal("INFO", system.Settings.LogLevel);
        Assert.Equal(LogLevel.InfoLevel, system.EventStream.LogLevel);
        // Akka's lines keep their format (scripts read it) with user text escaped.
        Assert.IsType<Akka.Jobs.Orchestrator.Node.EscapingLogFormatter>(system.Settings.LogFormatter);
    }

    [Fact]
    public async Task The_configured_akka_loglevel_is_honoured()
    {
        await using var node = await TestNode.StartAsync(akkaHocon: "akka.loglevel = WARNING");
        var system = node.Services.GetRequiredService<ActorSystem>();
        Assert.Equal("WARNING", system.Settings.LogLevel);
        Assert.Equal(LogLevel.WarningLevel, system.EventStream.LogLevel);
        var log = Logging.GetLogger(system.EventStream, "run-lines");
        Assert.False(log.IsInfoEnabled);
        Assert.True(log.IsWarningEnabled);
    }

    [Fact]
    public async Task Akka_log_lines_quote_user_text_with_control_characters_escaped()
    {
        await using var node = await TestNode.StartAsync();
        var system = node.Services.GetRequiredService<ActorSystem>();
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var collector = system.ActorOf(Props.Create(() => new Collector(lines)));
        system.EventStream.Subscribe(collector, typeof(Info));

        Logging.GetLogger(system, "log-hygiene").Info("Run started job={0} run={1}", "x\n[FAKE] forged line", "r\u001b[31m");

        var until = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        string? line = null;
        while (line is null && TimeProvider.System.GetUtcNow() < until)
        {
            line = lines.FirstOrDefault(l => l.Contains("forged line"));
            if (line is null) await Task.Delay(50);
        }
        Assert.NotNull(line);
        Assert.Contains("Run started job=x\\n[FAKE] forged line run=r\\u001b[31m", line);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\u001b', line);
    }

    /// <summary>Keeps each Info event as Akka's loggers print it.</summary>
    private sealed class Collector : ReceiveActor
    {
        public Collector(System.Collections.Concurrent.ConcurrentQueue<string> lines) => Receive<Info>(e => lines.Enqueue(e.ToString()));
    }
}
