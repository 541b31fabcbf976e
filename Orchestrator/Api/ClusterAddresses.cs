using Akka.Actor;
using Akka.Cluster;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Security;

namespace Akka.Jobs.Orchestrator.Api;

/// <summary>Member addresses as the API reads and writes them.</summary>
public static class ClusterAddresses
{
    /// <summary>A member status as the API writes it: <c>up</c>, <c>weakly-up</c>, <c>leaving</c>…</summary>
    public static string StatusName(MemberStatus status) => JobDefinitionJson.Kebab(status.ToString());

    /// <summary>
    /// The <c>address</c> field of a body: a full remote address (<c>akka.tcp://akka-jobs@host:port</c>), or
    /// <paramref name="fallback"/> when the body or the field is absent (null fallback: the field is required).
    /// Anything else is a 400 naming <c>address</c>, never a 500.
    /// </summary>
    public static async Task<(Address? Address, IResult? Error)> ReadAsync(HttpContext http, Address? fallback)
    {
        var (body, bad) = await ApiBody.ReadJson(http.Request, optional: true);
        if (bad is not null) return (null, bad);
        string? text;
        using (body)
        {
            if (body is null) text = null;
            else if (body.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
                return (null, ApiErrors.BadRequest("body", "must be a JSON object such as {\"address\": \"akka.tcp://akka-jobs@host:port\"}"));
            else if (body.RootElement.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => name != "address") is { } unknown)
                // A body meant for another call must not be read as "this node" (leave without an address).
                return (null, ApiErrors.BadRequest(ApiQuery.Clip(unknown), "unknown field: the body takes only address"));
            else if (!body.RootElement.TryGetProperty("address", out var field) || field.ValueKind == System.Text.Json.JsonValueKind.Null) text = null;
            else if (field.ValueKind != System.Text.Json.JsonValueKind.String)
                return (null, ApiErrors.BadRequest("address", "must be a string such as akka.tcp://akka-jobs@host:port"));
            else text = field.GetString();
        }
        if (text is null)
            return fallback is null
                ? (null, ApiErrors.BadRequest("address", "is required: send {\"address\": \"akka.tcp://akka-jobs@host:port\"}"))
                : (fallback, null);
        AuditLog.SetTarget(http, ApiQuery.Clip(text));
        return TryParse(text, out var address)
            ? (address, null)
            : (null, ApiErrors.BadRequest("address", $"'{ApiQuery.Clip(text)}' is not a cluster address: expected akka.tcp://akka-jobs@host:port"));
    }

    /// <summary>Akka's own parser, plus the parts a remote member's address always has (protocol akka.*, system, host, port).</summary>
    public static bool TryParse(string text, out Address address)
    {
        address = Address.AllSystems;
        try
        {
            var parsed = Address.Parse(text.Trim());
            if (!parsed.Protocol.StartsWith("akka", StringComparison.Ordinal) || string.IsNullOrEmpty(parsed.System)
                || string.IsNullOrEmpty(parsed.Host) || parsed.Port is null or <= 0 or > 65535)
                return false;
            address = parsed;
            return true;
        }
        catch (Exception) // Address.Parse throws several exception types for text it cannot read; all mean "not an address"
        {
            return false;
        }
    }

    /// <summary>
    /// Every member speaks the node's transport: an address written in the other Akka TCP scheme (<c>akka.tcp</c> in a cluster
    /// on TLS, as people write addresses) names the same member.
    /// </summary>
    public static Address InSchemeOf(Address address, Address self) =>
        address.Protocol is "akka.tcp" or "akka.ssl.tcp" && self.Protocol is "akka.tcp" or "akka.ssl.tcp" ? address.WithProtocol(self.Protocol) : address;

    /// <summary>404 naming the address no member has.</summary>
    public static IResult NotAMember(Address address) =>
        Results.Json(new { error = $"no cluster member has address '{address}'", field = "address" }, ApiJson.Options, statusCode: 404);
}
