using System.Net;
using Akka.Configuration;
using Akka.Jobs.Domain.Outbound;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// Reads the http handler's outbound policy: <c>akka.jobs.http.allow-networks</c> (CIDRs or single addresses that may
/// be reached although not public), <c>akka.jobs.http.allow-hosts</c> and <c>akka.jobs.tenants.&lt;t&gt;.http.allow-hosts</c>.
/// </summary>
public static class HttpPolicyConfig
{
    private const string Hosts = "host names such as api.example.com or *.example.com";

    public static OutboundPolicy Read(Config config)
    {
        var policy = OutboundPolicy.Default;
        if (config.HasPath("akka.jobs.http.allow-networks"))
        {
            const string key = "akka.jobs.http.allow-networks";
            var networks = HoconLists.Strings(config.GetValue(key), key, "networks such as 10.1.0.0/16 or 127.0.0.1")
                .Select(n => ParseNetwork(key, n)).ToList();
            policy = policy with { AllowNetworks = networks };
        }
        if (config.HasPath("akka.jobs.http.allow-hosts"))
            policy = policy with { AllowHosts = ReadHosts(config, "akka.jobs.http.allow-hosts") };

        if (config.HasPath("akka.jobs.tenants"))
        {
            var tenants = config.GetValue("akka.jobs.tenants");
            if (!tenants.IsObject()) throw new ConfigException("akka.jobs.tenants: must be an object of tenant = { http { allow-hosts = [..] } }");
            var own = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var tenant in tenants.GetObject().Items.Keys)
            {
                var key = $"akka.jobs.tenants.{tenant}.http.allow-hosts";
                if (config.HasPath(key)) own[tenant] = ReadHosts(config, key);
            }
            policy = policy with { TenantAllowHosts = own };
        }
        return policy;
    }

    private static IReadOnlyList<string> ReadHosts(Config config, string key)
    {
        var hosts = HoconLists.Strings(config.GetValue(key), key, Hosts);
        if (hosts.FirstOrDefault(p => !HostPattern.IsValid(p)) is { } bad)
            throw new ConfigException($"{key}: '{bad}' is not a host name such as api.example.com or *.example.com");
        return hosts;
    }

    private static IPNetwork ParseNetwork(string key, string text)
    {
        // 10.1.2.3/16 would silently become 10.1.0.0/16: the writer may have meant one address, so it is refused.
        if (IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.Split('/')[0], out var given) && given.Equals(network.BaseAddress))
            return network;
        if (!text.Contains('/') && IPAddress.TryParse(text, out var address))
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        throw new ConfigException($"{key}: '{text}' is not a network such as 10.1.0.0/16 (address bits past the prefix must be zero) or an address such as 127.0.0.1");
    }
}
