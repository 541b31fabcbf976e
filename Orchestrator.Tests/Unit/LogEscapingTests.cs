using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Node;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

/// <summary>
/// User text in a log entry cannot forge a line or drive the terminal: control characters come out escaped. The format
/// (text or json) is a setting.
/// </summary>
public sealed class LogEscapingTests
{
    private const string Forged = "job x failed: boom\n[FAKE] forged line\r\u001b[31mred\u009b2J\u2028end";

    [Fact]
    public void The_console_formatter_writes_one_line_with_control_characters_escaped()
    {
        var formatter = EscapingConsoleFormatter.Create(new ConsoleFormatterOptions { TimestampFormat = "HH:mm:ss.fff " });
        using var writer = new StringWriter();
        var entry = new LogEntry<string>(LogLevel.Warning, "Akka.Jobs.Test", new EventId(7), Forged, new InvalidOperationException("bad\nthing"),
            (s, _) => s);

        formatter.Write(entry, null, writer);

        var text = writer.ToString();
        Assert.EndsWith(Environment.NewLine, text);
        var line = text[..^Environment.NewLine.Length];
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\u009b', line);
        Assert.Contains("warn: Akka.Jobs.Test[7] job x failed: boom\\n[FAKE] forged line\\r\\u001b[31mred\\u009b2J\\u2028end", line);
        Assert.Contains("InvalidOperationException: bad\\nthing", line);
    }

    [Fact]
    public void Akka_messages_are_formatted_then_escaped()
    {
        var formatter = new EscapingLogFormatter();
        Assert.Equal("Run started job=a\\nb run=r\\u001b[0m", formatter.Format("Run started job={0} run={1}", "a\nb", "r\u001b[0m"));
        Assert.Equal("plain 1", formatter.Format("plain {Count}", new object[] { 1 }));
    }

    [Theory]
    [InlineData("plain text, tabs are not here", "plain text, tabs are not here")]
    [InlineData("a\tb", "a\\tb")]
    [InlineData("\u0000\u007f", "\\u0000\\u007f")]
    public void Escape(string text, string expected) => Assert.Equal(expected, LogText.Escape(text));

    [Theory]
    [InlineData(null, LogFormat.Text)]
    [InlineData("text", LogFormat.Text)]
    [InlineData("JSON", LogFormat.Json)]
    public void The_log_format_is_text_or_json(string? text, LogFormat expected) => Assert.Equal(expected, LogFormatConfig.Read(text, "k"));

    [Fact]
    public void An_unknown_log_format_is_a_config_error_naming_the_key() =>
        Assert.StartsWith("AKKA_JOBS_LOG_FORMAT:", Assert.Throws<ConfigException>(() => LogFormatConfig.Read("xml", "AKKA_JOBS_LOG_FORMAT")).Message);
}
