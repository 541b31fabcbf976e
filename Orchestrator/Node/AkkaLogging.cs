using Akka.Event;
using LogLevel = Akka.Event.LogLevel;
using Akka.Hosting;
using Akka.Jobs.Orchestrator.Configuration;

namespace Akka.Jobs.Orchestrator.Node;

/// <summary>
/// Akka's own log entries. Text format: Akka's line format stays (scripts/lib/analyze_runs.py reads it) and messages
/// are formatted by <see cref="EscapingLogFormatter"/>. JSON format: Akka's entries go through Microsoft.Extensions.Logging
/// and come out as JSON with the rest (JSON escapes control characters itself). <c>akka.loglevel</c> of the node's HOCON decides in both.
/// </summary>
public static class AkkaLogging
{
    public static AkkaConfigurationBuilder ConfigureNodeLogging(this AkkaConfigurationBuilder b, NodeOptions o)
    {
        if (o.LogFormat == LogFormat.Json)
            return b.ConfigureLoggers(l =>
            {
                l.LogLevel = ConfiguredLevel(o);
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
        return b.AddHocon($"akka.logger-formatter = \"{typeof(EscapingLogFormatter).FullName}, {typeof(EscapingLogFormatter).Assembly.GetName().Name}\"",
            HoconAddMode.Prepend);
    }

    /// <summary>The node's <c>akka.loglevel</c> (INFO unless its HOCON says otherwise, as in AkkaJobsNode's base settings).</summary>
    private static LogLevel ConfiguredLevel(NodeOptions o)
    {
        var text = string.IsNullOrWhiteSpace(o.AkkaHocon) ? null
            : Akka.Configuration.ConfigurationFactory.ParseString(o.AkkaHocon).GetString("akka.loglevel", null);
        return text?.Trim().ToUpperInvariant() switch
        {
            "DEBUG" => LogLevel.DebugLevel,
            "WARNING" or "WARN" => LogLevel.WarningLevel,
            "ERROR" => LogLevel.ErrorLevel,
            "OFF" => LogLevel.ErrorLevel,
            _ => LogLevel.InfoLevel,
        };
    }
}

/// <summary>Akka's message-template formatting, then control characters escaped (see <see cref="LogText"/>).</summary>
public sealed class EscapingLogFormatter : ILogMessageFormatter
{
    public string Format(string format, params object[] args) => LogText.Escape(SemanticLogMessageFormatter.Instance.Format(format, args));

    public string Format(string format, IEnumerable<object> args) => LogText.Escape(SemanticLogMessageFormatter.Instance.Format(format, args));
}
