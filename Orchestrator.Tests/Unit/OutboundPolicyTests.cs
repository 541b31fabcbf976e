using System.Net;
using Akka.Jobs.Domain.Outbound;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

public sealed class OutboundPolicyTests
{
    [Theory]
    [InlineData("8.8.8.8", AddressClass.Public)]
    [InlineData("2606:4700:4700::1111", AddressClass.Public)]
    [InlineData("127.0.0.1", AddressClass.Loopback)]
    [InlineData("127.255.0.9", AddressClass.Loopback)]
    [InlineData("::1", AddressClass.Loopback)]
    [InlineData("0.0.0.0", AddressClass.Unspecified)]
    [InlineData("::", AddressClass.Unspecified)]
    [InlineData("169.254.169.254", AddressClass.LinkLocal)]
    [InlineData("fe80::1", AddressClass.LinkLocal)]
    [InlineData("10.1.2.3", AddressClass.Private)]
    [InlineData("172.16.0.1", AddressClass.Private)]
    [InlineData("172.31.255.255", AddressClass.Private)]
    [InlineData("172.32.0.1", AddressClass.Public)]
    [InlineData("192.168.1.1", AddressClass.Private)]
    [InlineData("100.64.0.1", AddressClass.SharedAddressSpace)]
    [InlineData("100.100.100.200", AddressClass.SharedAddressSpace)]
    [InlineData("100.128.0.1", AddressClass.Public)]
    [InlineData("fd00:ec2::254", AddressClass.UniqueLocal)]
    [InlineData("fc00::1", AddressClass.UniqueLocal)]
    [InlineData("224.0.0.1", AddressClass.Multicast)]
    [InlineData("ff02::1", AddressClass.Multicast)]
    [InlineData("255.255.255.255", AddressClass.Broadcast)]
    [InlineData("240.0.0.1", AddressClass.Reserved)]
    [InlineData("::ffff:127.0.0.1", AddressClass.Loopback)]
    [InlineData("::ffff:169.254.169.254", AddressClass.LinkLocal)]
    [InlineData("::ffff:10.0.0.1", AddressClass.Private)]
    [InlineData("::ffff:8.8.8.8", AddressClass.Public)]
    [InlineData("::127.0.0.1", AddressClass.Loopback)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressClass.LinkLocal)]
    [InlineData("2002:7f00:1::", AddressClass.Loopback)]
    public void Addresses_are_classified_including_ipv6_forms_that_carry_ipv4(string address, AddressClass expected) =>
        Assert.Equal(expected, AddressClassifier.Classify(IPAddress.Parse(address)));

    [Fact]
    public void The_default_refuses_every_non_public_address_naming_it_and_the_setting()
    {
        Assert.Null(OutboundPolicy.Default.DenyAddress(IPAddress.Parse("93.184.216.34")));
        Assert.Equal("169.254.169.254 is a link-local address; outbound requests to private, loopback and link-local addresses are refused (akka.jobs.http.allow-networks)",
            OutboundPolicy.Default.DenyAddress(IPAddress.Parse("169.254.169.254")));
        Assert.StartsWith("::ffff:127.0.0.1 is a loopback address", OutboundPolicy.Default.DenyAddress(IPAddress.Parse("::ffff:127.0.0.1")));
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.2.0.1", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("127.0.0.2", false)]
    [InlineData("fd00::5", true)]
    [InlineData("169.254.169.254", false)]
    public void Allow_networks_open_only_the_given_cidrs(string address, bool allowed)
    {
        var policy = OutboundPolicy.Default with { AllowNetworks = [IPNetwork.Parse("10.1.0.0/16"), IPNetwork.Parse("127.0.0.1/32"), IPNetwork.Parse("fd00::/64")] };

        Assert.Equal(allowed, policy.DenyAddress(IPAddress.Parse(address)) is null);
    }

    [Theory]
    [InlineData("api.example.com", "api.example.com", true)]
    [InlineData("api.example.com", "API.Example.com.", true)]
    [InlineData("api.example.com", "api.example.com.evil", false)]
    [InlineData("*.corp.example", "a.corp.example", true)]
    [InlineData("*.corp.example", "a.b.corp.example", true)]
    [InlineData("*.corp.example", "corp.example", false)]
    [InlineData("*.corp.example", "evilcorp.example", false)]
    [InlineData("::1", "[::1]", true)]
    public void Host_patterns_match_exact_names_and_subdomains(string pattern, string host, bool matches) =>
        Assert.Equal(matches, HostPattern.Matches(pattern, host));

    [Theory]
    [InlineData("api.example.com", true)]
    [InlineData("*.example.com", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("*", false)]
    [InlineData("https://api.example.com", false)]
    [InlineData("api.example.com/x", false)]
    [InlineData("a.*.com", false)]
    public void Host_patterns_are_names_or_wildcard_subdomains(string pattern, bool valid) =>
        Assert.Equal(valid, HostPattern.IsValid(pattern));
}
