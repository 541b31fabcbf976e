using System.Diagnostics.CodeAnalysis;

namespace Akka.Jobs.Domain.Secrets;

/// <summary>
/// The node's named secrets (<c>akka.jobs.secrets</c>). Definitions name a secret, never hold its value, so the value
/// stays out of the journal, the API and the logs. Handlers resolve a name for one use: a job of a tenant, sending it
/// to a host (<c>null</c> when the value does not go to a host of the handler's choosing, e.g. a process environment,
/// which a secret limited to hosts is then refused for). Every error names the secret and the reason, never the value.
/// </summary>
public interface ISecretStore
{
    /// <summary>The configured names.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Why the use is refused (unknown name, other tenant, other host), or null when allowed. Needs no value.</summary>
    string? Deny(string name, string? tenant, string? host);

    /// <summary>The value when <see cref="Deny"/> allows the use; otherwise the reason.</summary>
    bool TryResolve(string name, string? tenant, string? host, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error);

    /// <summary>The text with every configured secret value replaced by <c>***</c> (outputs and errors are shown to viewers).</summary>
    string Mask(string text);
}
