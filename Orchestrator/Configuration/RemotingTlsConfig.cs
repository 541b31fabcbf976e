using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Jobs.Orchestrator.Remoting;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// Reads remoting TLS: <c>akka.jobs.node.tls { certificate, password-file | password-env, ca-certificate, trusted-sha256 }</c>,
/// each also from the command line or an <c>AKKA_JOBS_TLS_*</c> variable (first wins). The certificate is loaded here, so a
/// missing file or a wrong password stops the node with one line naming the setting; the password itself is never echoed,
/// and never reaches the ActorSystem's HOCON (which <c>log-config-on-start</c> prints).
/// </summary>
public static class RemotingTlsConfig
{
    /// <summary>A value and the name of the setting it came from, for error messages.</summary>
    private sealed record Setting(string Value, string Key, bool IsFile = false);

    /// <summary>Null when no certificate is configured (and no other TLS setting either).</summary>
    public static RemotingTls? Read(NodeArguments args, Config node, Func<string, string?> env)
    {
        var tls = node.HasPath("tls") ? node.GetConfig("tls") : Config.Empty;
        Setting? From(string? arg, string argName, string envName, string hoconKey)
        {
            if (!string.IsNullOrWhiteSpace(arg)) return new(arg, argName);
            if (env(envName) is { Length: > 0 } e) return new(e, envName);
            return tls.HasPath(hoconKey) && tls.GetString(hoconKey) is { Length: > 0 } h ? new(h, $"akka.jobs.node.tls.{hoconKey}") : null;
        }

        var certificate = From(args.TlsCertificate, "--tls-certificate", "AKKA_JOBS_TLS_CERTIFICATE", "certificate");
        var password = PasswordSetting(args, env, tls);
        var ca = From(null, "", "AKKA_JOBS_TLS_CA_CERTIFICATE", "ca-certificate");
        var trusted = TrustedSha256(env, tls);
        if (certificate is null)
        {
            var stray = password ?? ca ?? trusted.Source;
            if (stray is not null) throw new ConfigException($"{stray.Key}: set, but no certificate is (akka.jobs.node.tls.certificate or AKKA_JOBS_TLS_CERTIFICATE)");
            return null;
        }
        return new RemotingTls(LoadCertificate(certificate, Password(password, env)), trusted.Values, ca is null ? [] : LoadAuthorities(ca));
    }

    /// <summary>
    /// Where the .pfx password comes from, first found: <c>--tls-password-file</c>, <c>AKKA_JOBS_TLS_PASSWORD_FILE</c>,
    /// <c>AKKA_JOBS_TLS_PASSWORD</c> (the password itself), <c>tls.password-file</c>, <c>tls.password-env</c> (the name of a
    /// variable holding it). None: a .pfx without a password. Never a password in the HOCON file itself.
    /// </summary>
    private static Setting? PasswordSetting(NodeArguments args, Func<string, string?> env, Config tls)
    {
        if (!string.IsNullOrWhiteSpace(args.TlsPasswordFile)) return new(args.TlsPasswordFile, "--tls-password-file", IsFile: true);
        if (env("AKKA_JOBS_TLS_PASSWORD_FILE") is { Length: > 0 } file) return new(file, "AKKA_JOBS_TLS_PASSWORD_FILE", IsFile: true);
        if (env("AKKA_JOBS_TLS_PASSWORD") is { Length: > 0 }) return new("AKKA_JOBS_TLS_PASSWORD", "AKKA_JOBS_TLS_PASSWORD");
        if (tls.HasPath("password")) throw new ConfigException("akka.jobs.node.tls.password: not read from the config file; use password-file or password-env");
        if (tls.HasPath("password-file")) return new(tls.GetString("password-file"), "akka.jobs.node.tls.password-file", IsFile: true);
        if (tls.HasPath("password-env")) return new(tls.GetString("password-env"), "akka.jobs.node.tls.password-env");
        return null;
    }

    private static string? Password(Setting? setting, Func<string, string?> env)
    {
        if (setting is null) return null;
        if (!setting.IsFile)
            return env(setting.Value) ?? throw new ConfigException($"{setting.Key}: the environment variable '{setting.Value}' is not set");
        return SecretFile.Read(setting.Value, setting.Key);
    }

    private static X509Certificate2 LoadCertificate(Setting path, string? password)
    {
        if (!File.Exists(path.Value)) throw new ConfigException($"{path.Key}: file '{path.Value}' does not exist");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path.Value, password);
        }
        catch (CryptographicException)
        {
            // The exception's text says nothing more useful, and must not be mistaken for an echo of the password.
            throw new ConfigException($"{path.Key}: cannot open '{path.Value}': not a PKCS#12 (.pfx) file, or the password (password-file / password-env) is wrong");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path.Key}: cannot read '{path.Value}' ({ex.GetType().Name})");
        }
        if (!certificate.HasPrivateKey)
            throw new ConfigException($"{path.Key}: '{path.Value}' holds no private key; the node proves its identity with it (export the .pfx with its key)");
        return certificate;
    }

    private static X509Certificate2Collection LoadAuthorities(Setting path)
    {
        if (!File.Exists(path.Value)) throw new ConfigException($"{path.Key}: file '{path.Value}' does not exist");
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path.Value);
            if (authorities.Count == 0) authorities.Add(X509CertificateLoader.LoadCertificateFromFile(path.Value)); // DER
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{path.Key}: cannot read a CA certificate (PEM or DER) from '{path.Value}' ({ex.GetType().Name})");
        }
        return authorities;
    }

    private static (IReadOnlySet<string> Values, Setting? Source) TrustedSha256(Func<string, string?> env, Config tls)
    {
        IEnumerable<string> items;
        Setting source;
        if (env("AKKA_JOBS_TLS_TRUSTED_SHA256") is { Length: > 0 } e)
        {
            items = e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            source = new(e, "AKKA_JOBS_TLS_TRUSTED_SHA256");
        }
        else if (tls.HasPath("trusted-sha256"))
        {
            items = tls.GetStringList("trusted-sha256");
            source = new("", "akka.jobs.node.tls.trusted-sha256");
        }
        else return (new HashSet<string>(), null);
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            // openssl x509 -noout -fingerprint -sha256 writes AB:CD:…; accept it as printed.
            var hex = item.Replace(":", "").Trim().ToUpperInvariant();
            if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
                throw new ConfigException($"{source.Key}: '{item}' is not a SHA-256 fingerprint (64 hex digits, e.g. from openssl x509 -noout -fingerprint -sha256)");
            result.Add(hex);
        }
        return (result, result.Count > 0 ? source : null);
    }
}
