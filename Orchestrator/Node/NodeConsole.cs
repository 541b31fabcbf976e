using Akka.Jobs.Orchestrator.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Akka.Jobs.Orchestrator.Node;

/// <summary>The node's console log: one escaped line per entry (<see cref="LogFormat.Text"/>) or one JSON object per line.</summary>
public static class NodeConsole
{
    public static ILoggingBuilder AddNodeConsole(this ILoggingBuilder logging, LogFormat format)
    {
        logging.ClearProviders();
        if (format == LogFormat.Json)
        {
            // JSON escapes control characters itself; Akka's own entries come through here too (AkkaLogging).
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            logging.AddFilter("Akka", LogLevel.Information);
            return logging;
        }
        logging.AddConsole(o => o.FormatterName = EscapingConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<EscapingConsoleFormatter, ConsoleFormatterOptions>(o => o.TimestampFormat = "HH:mm:ss.fff ");
        return logging;
    }
}

/// <summary>
/// The single-line format of the simple console (<c>12:00:00.000 info: Category[0] message</c>), with control characters
/// in the message and the exception escaped, so every entry is exactly one line whatever it quotes.
/// </summary>
public sealed class EscapingConsoleFormatter(Microsoft.Extensions.Options.IOptionsMonitor<ConsoleFormatterOptions> options)
    : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "akka-jobs";

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter writer)
    {
        var message = entry.Formatter(entry.State, entry.Exception);
        if (string.IsNullOrEmpty(message) && entry.Exception is null) return;
        var o = options.CurrentValue;
        if (o.TimestampFormat is { } format)
            writer.Write((o.UseUtcTimestamp ? TimeProvider.System.GetUtcNow() : TimeProvider.System.GetLocalNow()).ToString(format));
        writer.Write(Level(entry.LogLevel));
        writer.Write(": ");
        writer.Write(LogText.Escape(entry.Category));
        writer.Write('[');
        writer.Write(entry.EventId.Id);
        writer.Write("] ");
        writer.Write(LogText.Escape(message));
        if (entry.Exception is { } ex)
        {
            writer.Write(' ');
            writer.Write(LogText.Escape(ex.ToString()));
        }
        writer.Write(Environment.NewLine);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    /// <summary>For tests: a formatter with the node's options.</summary>
    public static EscapingConsoleFormatter Create(ConsoleFormatterOptions? o = null) => new(new StaticOptions(o ?? new ConsoleFormatterOptions()));

    private sealed class StaticOptions(ConsoleFormatterOptions value) : Microsoft.Extensions.Options.IOptionsMonitor<ConsoleFormatterOptions>
    {
        public ConsoleFormatterOptions CurrentValue => value;
        public ConsoleFormatterOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<ConsoleFormatterOptions, string?> listener) => null;
    }
}
