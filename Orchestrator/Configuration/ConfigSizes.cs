using Akka.Configuration;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>Byte sizes in HOCON's syntax (<c>256k</c>, <c>1m</c>, <c>128000b</c>), every failure a ConfigException naming the key.</summary>
public static class ConfigSizes
{
    public static long Read(Config config, string path, string key)
    {
        long? size;
        try
        {
            size = config.GetByteSize(path);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ConfigurationException or ArgumentException or InvalidCastException)
        {
            throw new ConfigException($"{key}: '{config.GetString(path)}' is not a size such as 256k or 1m");
        }
        return size is { } s and >= 0 ? s : throw new ConfigException($"{key}: '{config.GetString(path)}' is not a size such as 256k or 1m");
    }
}
