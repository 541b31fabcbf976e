namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// How the node writes its log: <c>text</c> (one line per entry, control characters escaped) or <c>json</c> (one JSON
/// object per line). From <c>AKKA_JOBS_LOG_FORMAT</c> or <c>akka.jobs.node.log-format</c>.
/// </summary>
public enum LogFormat
{
    Text,
    Json,
}

public static class LogFormatConfig
{
    public static LogFormat Read(string? text, string key) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => throw new ConfigException($"{key}: '{text}' is not a log format: use text or json"),
    };
}
