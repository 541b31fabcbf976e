namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>Bad configuration; the message names the file, job and field. The node exits with code 2.</summary>
public sealed class ConfigException(string message) : Exception(message);
