using Akka.Configuration;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// Reads <c>akka.jobs.api.max-request-body</c> (a size: <c>256k</c>), <c>akka.jobs.api.rate-limit { requests-per-second,
/// burst }</c> (0 = off) and <c>akka.jobs.api.allowed-hosts</c> (a list of host names; <c>["*"]</c> = any).
/// </summary>
public static class ApiLimitsConfig
{
    public static ApiLimits Read(Config config)
    {
        var limits = new ApiLimits();
        const string body = "akka.jobs.api.max-request-body";
        if (config.HasPath(body))
        {
            var size = ConfigSizes.Read(config, body, body);
            if (size is < 1024 or > 64L * 1024 * 1024) throw new ConfigException($"{body}: {size} bytes is outside 1k..64m");
            limits = limits with { MaxRequestBodyBytes = size };
        }
        if (config.HasPath("akka.jobs.api.rate-limit")) limits = limits with { RateLimit = ReadRateLimit(config) };
        const string hosts = "akka.jobs.api.allowed-hosts";
        if (config.HasPath(hosts))
        {
            var list = ReadHosts(config, hosts);
            if (list.Count == 0) throw new ConfigException($"{hosts}: must name at least one host, or \"*\" for any");
            foreach (var h in list)
                if (h.Length == 0 || h.Contains('/') || h.Contains(' ') || (h.Contains('*') && h != "*" && !h.StartsWith("*.", StringComparison.Ordinal)))
                    throw new ConfigException($"{hosts}: '{h}' is not a host name (example.com, *.example.com, 127.0.0.1, [::1] or *)");
            limits = limits with { AllowedHosts = list };
        }
        return limits;
    }

    private static RateLimit ReadRateLimit(Config config)
    {
        int Int(string name, int fallback)
        {
            var key = "akka.jobs.api.rate-limit." + name;
            if (!config.HasPath(key)) return fallback;
            try
            {
                var n = config.GetInt(key);
                return n >= 0 && n <= 1_000_000 ? n : throw new ConfigException($"{key}: {n} is outside 0..1000000");
            }
            catch (FormatException)
            {
                throw new ConfigException($"{key}: '{config.GetString(key)}' is not a whole number");
            }
        }

        var perSecond = Int("requests-per-second", RateLimit.Default.RequestsPerSecond);
        // The burst defaults to five seconds' worth, so raising the rate alone raises both.
        var burst = Int("burst", Math.Max(1, perSecond * 5));
        if (perSecond > 0 && burst < 1) throw new ConfigException("akka.jobs.api.rate-limit.burst: must be at least 1 when requests-per-second is set");
        return new RateLimit(perSecond, burst);
    }

    private static List<string> ReadHosts(Config config, string key)
    {
        try
        {
            return config.GetStringList(key).Select(h => h.Trim()).ToList();
        }
        catch (Exception ex) when (ex is ConfigurationException or InvalidCastException or FormatException)
        {
            // A single string is accepted too: allowed-hosts = "*".
            return [config.GetString(key).Trim()];
        }
    }
}
