using System.Security.Cryptography.X509Certificates;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Remoting;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

/// <summary>Remoting TLS settings and the rule that plain remoting stays on loopback: every mistake is one line naming the setting.</summary>
public sealed class RemotingTlsConfigTests : IDisposable
{
    private const string Password = "pfx-secret-4d1f8a";
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-jobs-tls-config-").FullName;
    private readonly X509Certificate2 _certificate = TestCertificates.SelfSigned("akka-jobs-node");
    private readonly string _pfx;
    private readonly string _passwordFile;

    public RemotingTlsConfigTests()
    {
        _pfx = TestCertificates.WritePfx(_dir, _certificate, Password);
        _passwordFile = Path.Combine(_dir, "password");
        File.WriteAllText(_passwordFile, Password + "\n");
    }

    public void Dispose()
    {
        _certificate.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private NodeOptions Load(string hocon, NodeArguments? args = null, params (string Key, string Value)[] env)
    {
        var path = Path.Combine(_dir, "node.hocon");
        File.WriteAllText(path, hocon);
        var vars = env.ToDictionary(v => v.Key, v => v.Value);
        return NodeConfigLoader.Load((args ?? new NodeArguments()) with { Config = path }, k => vars.GetValueOrDefault(k));
    }

    private ConfigException Refused(string hocon, NodeArguments? args = null, params (string Key, string Value)[] env) =>
        Assert.Throws<ConfigException>(() => Load(hocon, args, env));

    private string Tls(string extra = "") => $"akka.jobs.node.tls {{ certificate = \"{_pfx}\", password-file = \"{_passwordFile}\" {extra} }}";

    // ------------------------------------------------------------------ plain remoting beyond loopback

    [Theory]
    [InlineData("akka.jobs.node.bind-hostname = \"0.0.0.0\"", "0.0.0.0")]
    [InlineData("akka.jobs.node.hostname = \"10.0.0.5\"", "10.0.0.5")]
    [InlineData("akka.jobs.node.hostname = \"node1\"", "node1")]
    public void Remoting_beyond_loopback_without_tls_is_refused_saying_how_to_fix_it(string hocon, string host)
    {
        var ex = Refused(hocon);

        Assert.StartsWith($"remoting: the node would listen on {host} without TLS", ex.Message);
        Assert.Contains("akka.jobs.node.tls.certificate", ex.Message);
        Assert.Contains("allow-plaintext-remoting = on", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public void Loopback_remoting_needs_no_tls(string host) =>
        Assert.Null(Load($"akka.jobs.node.hostname = \"{host}\"").Tls);

    [Fact]
    public void Plain_remoting_beyond_loopback_starts_when_the_operator_allows_it_in_hocon_or_the_environment()
    {
        Assert.True(Load("akka.jobs.node { hostname = \"10.0.0.5\", allow-plaintext-remoting = on }").AllowPlaintextRemoting);
        Assert.True(Load("akka.jobs.node.hostname = \"10.0.0.5\"", null, ("AKKA_JOBS_ALLOW_PLAINTEXT_REMOTING", "on")).AllowPlaintextRemoting);
        Assert.StartsWith("AKKA_JOBS_ALLOW_PLAINTEXT_REMOTING: 'maybe'", Refused("", null, ("AKKA_JOBS_ALLOW_PLAINTEXT_REMOTING", "maybe")).Message);
    }

    [Fact]
    public void Raw_akka_remote_tls_settings_in_the_config_file_are_refused()
    {
        var ex = Refused("akka.remote.dot-netty.tcp { enable-ssl = true, ssl.suppress-validation = true }");

        Assert.StartsWith("akka.remote.dot-netty.tcp.enable-ssl: configure remoting TLS with akka.jobs.node.tls", ex.Message);
    }

    // ------------------------------------------------------------------ the certificate

    [Fact]
    public void Tls_from_hocon_loads_the_certificate_lets_the_node_listen_everywhere_and_moves_seeds_to_the_tls_scheme()
    {
        var o = Load(Tls() + "\nakka.jobs.node { bind-hostname = \"0.0.0.0\", seeds = [\"akka.tcp://akka-jobs@node1:4053\"] }");

        Assert.Equal(_certificate.Thumbprint, o.Tls!.Certificate.Thumbprint);
        Assert.True(o.Tls.Certificate.HasPrivateKey);
        Assert.Equal(["akka.ssl.tcp://akka-jobs@node1:4053"], o.Seeds);
    }

    [Fact]
    public void Arguments_beat_environment_beats_hocon_for_the_certificate_and_its_password_file()
    {
        using var other = TestCertificates.SelfSigned("other");
        var otherPfx = TestCertificates.WritePfx(_dir, other, null, "other.pfx");
        var empty = Path.Combine(_dir, "empty-password");
        File.WriteAllText(empty, "");

        var fromEnv = Load(Tls(), null, ("AKKA_JOBS_TLS_CERTIFICATE", otherPfx), ("AKKA_JOBS_TLS_PASSWORD_FILE", empty));
        Assert.Equal(other.Thumbprint, fromEnv.Tls!.Certificate.Thumbprint);

        var fromArgs = Load("", new NodeArguments(TlsCertificate: _pfx, TlsPasswordFile: _passwordFile), ("AKKA_JOBS_TLS_CERTIFICATE", otherPfx));
        Assert.Equal(_certificate.Thumbprint, fromArgs.Tls!.Certificate.Thumbprint);
    }

    [Fact]
    public void Password_can_come_from_an_environment_variable()
    {
        Assert.NotNull(Load($"akka.jobs.node.tls.certificate = \"{_pfx}\"", null, ("AKKA_JOBS_TLS_PASSWORD", Password)).Tls);
        Assert.NotNull(Load($"akka.jobs.node.tls {{ certificate = \"{_pfx}\", password-env = NODE_PFX_PASSWORD }}", null, ("NODE_PFX_PASSWORD", Password)).Tls);
        Assert.StartsWith("akka.jobs.node.tls.password-env: the environment variable 'NODE_PFX_PASSWORD' is not set",
            Refused($"akka.jobs.node.tls {{ certificate = \"{_pfx}\", password-env = NODE_PFX_PASSWORD }}").Message);
    }

    [Theory]
    [InlineData("arguments", "--tls-certificate")]
    [InlineData("environment", "AKKA_JOBS_TLS_CERTIFICATE")]
    [InlineData("hocon", "akka.jobs.node.tls.certificate")]
    public void Missing_certificate_file_is_refused_naming_the_setting(string source, string key)
    {
        var missing = Path.Combine(_dir, "missing.pfx");
        var ex = source switch
        {
            "arguments" => Refused("", new NodeArguments(TlsCertificate: missing)),
            "environment" => Refused("", null, ("AKKA_JOBS_TLS_CERTIFICATE", missing)),
            _ => Refused($"akka.jobs.node.tls.certificate = \"{missing}\""),
        };

        Assert.Equal($"{key}: file '{missing}' does not exist", ex.Message);
    }

    [Fact]
    public void Wrong_password_is_refused_naming_the_certificate_setting_without_echoing_any_password()
    {
        var wrong = Path.Combine(_dir, "wrong");
        File.WriteAllText(wrong, "not-the-password");

        var ex = Refused($"akka.jobs.node.tls {{ certificate = \"{_pfx}\", password-file = \"{wrong}\" }}");

        Assert.StartsWith("akka.jobs.node.tls.certificate: cannot open", ex.Message);
        Assert.Contains("password", ex.Message);
        Assert.DoesNotContain("not-the-password", ex.Message);
        Assert.DoesNotContain(Password, ex.Message);
    }

    [Fact]
    public void Unreadable_settings_are_refused_naming_each()
    {
        Assert.Equal($"akka.jobs.node.tls.password-file: file '{_dir}/nope' does not exist",
            Refused($"akka.jobs.node.tls {{ certificate = \"{_pfx}\", password-file = \"{_dir}/nope\" }}").Message);
        Assert.StartsWith("akka.jobs.node.tls.password: not read from the config file",
            Refused($"akka.jobs.node.tls {{ certificate = \"{_pfx}\", password = \"{Password}\" }}").Message);
        Assert.StartsWith("akka.jobs.node.tls.trusted-sha256: 'abc' is not a SHA-256 fingerprint", Refused(Tls(", trusted-sha256 = [abc]")).Message);
        Assert.StartsWith("akka.jobs.node.tls.ca-certificate: file", Refused(Tls($", ca-certificate = \"{_dir}/ca.crt\"")).Message);
        Assert.StartsWith("AKKA_JOBS_TLS_PASSWORD_FILE: set, but no certificate is", Refused("", null, ("AKKA_JOBS_TLS_PASSWORD_FILE", _passwordFile)).Message);

        var notPfx = Path.Combine(_dir, "cert.pem");
        File.WriteAllText(notPfx, _certificate.ExportCertificatePem());
        Assert.StartsWith("--tls-certificate: cannot open", Refused("", new NodeArguments(TlsCertificate: notPfx)).Message);

        using var publicOnly = X509CertificateLoader.LoadCertificate(_certificate.RawData);
        var noKey = TestCertificates.WritePfx(_dir, publicOnly, null, "no-key.pfx");
        Assert.StartsWith("--tls-certificate: '", Refused("", new NodeArguments(TlsCertificate: noKey)).Message);
    }

    [Fact]
    public void Ca_certificate_and_pinned_fingerprints_are_read()
    {
        using var ca = TestCertificates.Authority("akka-jobs-ca");
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), ca.ExportCertificatePem());
        var colons = string.Join(':', Enumerable.Range(0, 32).Select(i => RemotingTls.Sha256Of(ca).Substring(i * 2, 2)));

        var tls = Load(Tls($", ca-certificate = \"{_dir}/ca.crt\", trusted-sha256 = [\"{colons.ToLowerInvariant()}\"]")).Tls!;

        Assert.Equal(ca.Thumbprint, Assert.Single(tls.Authorities).Thumbprint);
        Assert.Equal([RemotingTls.Sha256Of(ca)], tls.TrustedSha256);
    }
}
