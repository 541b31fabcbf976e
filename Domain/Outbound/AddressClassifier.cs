using System.Net;
using System.Net.Sockets;

namespace Akka.Jobs.Domain.Outbound;

/// <summary>What kind of network an address belongs to, as far as reaching it from a job is concerned.</summary>
public enum AddressClass
{
    Public,
    Loopback,
    Unspecified,
    LinkLocal,
    Private,
    SharedAddressSpace,
    UniqueLocal,
    Multicast,
    Broadcast,
    Reserved,
}

/// <summary>
/// Classifies the address a connection would go to. IPv6 forms that carry an IPv4 address (mapped <c>::ffff:a.b.c.d</c>,
/// compatible <c>::a.b.c.d</c>, NAT64 <c>64:ff9b::a.b.c.d</c>, 6to4 <c>2002:AABB:CCDD::</c>) are classified by that
/// IPv4 address, so <c>::ffff:127.0.0.1</c> is loopback like <c>127.0.0.1</c>.
/// </summary>
public static class AddressClassifier
{
    public static AddressClass Classify(IPAddress address)
    {
        var a = Unwrap(address);
        return a.AddressFamily == AddressFamily.InterNetwork ? ClassifyV4(a.GetAddressBytes()) : ClassifyV6(a);
    }

    /// <summary>The IPv4 address an IPv6 address carries, or the address itself.</summary>
    public static IPAddress Unwrap(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        var b = address.GetAddressBytes();
        var upperZero = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
        // ::/96 (IPv4-compatible), but :: and ::1 are IPv6's own unspecified and loopback addresses
        if (upperZero && !(b.AsSpan(12, 3).IndexOfAnyExcept((byte)0) < 0 && b[15] <= 1))
            return new IPAddress(b.AsSpan(12, 4));
        // 64:ff9b::/96, the well-known NAT64 prefix
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return new IPAddress(b.AsSpan(12, 4));
        // 2002::/16, 6to4
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b.AsSpan(2, 4));
        return address;
    }

    /// <summary>How an error message names the class: "… is a link-local address".</summary>
    public static string Describe(AddressClass c) => c switch
    {
        AddressClass.Loopback => "a loopback address",
        AddressClass.Unspecified => "an unspecified address",
        AddressClass.LinkLocal => "a link-local address",
        AddressClass.Private => "a private (RFC 1918) address",
        AddressClass.SharedAddressSpace => "a shared (carrier-grade NAT, RFC 6598) address",
        AddressClass.UniqueLocal => "a unique-local IPv6 address",
        AddressClass.Multicast => "a multicast address",
        AddressClass.Broadcast => "a broadcast address",
        AddressClass.Reserved => "a reserved address",
        _ => "a public address",
    };

    private static AddressClass ClassifyV4(byte[] b) => b switch
    {
        [0, ..] => AddressClass.Unspecified, // 0.0.0.0/8: Linux connects 0.0.0.0 to the local host
        [127, ..] => AddressClass.Loopback,
        [10, ..] or [172, >= 16 and <= 31, ..] or [192, 168, ..] => AddressClass.Private,
        [100, >= 64 and <= 127, ..] => AddressClass.SharedAddressSpace,
        [169, 254, ..] => AddressClass.LinkLocal,
        [255, 255, 255, 255] => AddressClass.Broadcast,
        [>= 224 and <= 239, ..] => AddressClass.Multicast,
        [>= 240, ..] or [192, 0, 0, _] or [198, 18 or 19, ..] => AddressClass.Reserved,
        _ => AddressClass.Public,
    };

    private static AddressClass ClassifyV6(IPAddress a)
    {
        if (a.Equals(IPAddress.IPv6Any)) return AddressClass.Unspecified;
        if (a.Equals(IPAddress.IPv6Loopback)) return AddressClass.Loopback;
        var b = a.GetAddressBytes();
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass.LinkLocal; // fe80::/10
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass.Private; // fec0::/10, the old site-local
        if ((b[0] & 0xfe) == 0xfc) return AddressClass.UniqueLocal; // fc00::/7, incl. fd00:ec2::254 (EC2 metadata)
        if (b[0] == 0xff) return AddressClass.Multicast;
        return AddressClass.Public;
    }
}
