using Akka.Configuration;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary><c>akka.jobs.engine.max-definition-size</c>: the largest definition (serialized) the node accepts.</summary>
public static class EngineLimits
{
    /// <summary>
    /// Accepted range. The default (64 KiB) fits Akka's default 128,000-byte remoting frame with room for the message
    /// around it; raise it only on a single node, or together with <c>akka.remote.dot-netty.tcp.maximum-frame-size</c>.
    /// </summary>
    private const long Min = 4 * 1024, Max = 64L * 1024 * 1024;

    public static int MaxDefinitionBytes(Config engine, int fallback)
    {
        const string key = "max-definition-size";
        if (!engine.HasPath(key)) return fallback;
        var size = ConfigSizes.Read(engine, key, "akka.jobs.engine." + key);
        if (size is < Min or > Max)
            throw new ConfigException($"akka.jobs.engine.{key}: {size} bytes is outside 4k..64m");
        return (int)size;
    }
}
