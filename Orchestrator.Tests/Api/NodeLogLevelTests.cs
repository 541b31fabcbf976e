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
}
