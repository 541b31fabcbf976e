using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// Names a handler registered with <see cref="HandlerServiceCollectionExtensions.AddJobHandler{T}"/>, with the parameters
/// it declares safe to show to callers below admin (every other parameter value is hidden from them).
/// </summary>
public sealed record JobHandlerRegistration(string Name, Type HandlerType, IReadOnlySet<string>? SafeParameters = null);

/// <summary>
/// Handlers by name, resolved from DI (keyed services, one instance per attempt), and the node's secrets they may use:
/// the scheduler checks a definition's secret references with them and the attempt runner masks their values in what a
/// handler reports. The registry carries them because every actor that needs them already holds it.
/// </summary>
public sealed class JobHandlerRegistry(IServiceProvider services, IEnumerable<JobHandlerRegistration> registrations, ISecretStore secrets)
{
    private readonly HashSet<string> _names = registrations.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlySet<string>> _safe = registrations
        .Where(r => r.SafeParameters is not null).ToDictionary(r => r.Name, r => r.SafeParameters!, StringComparer.Ordinal);
    private static readonly IReadOnlySet<string> NoneSafe = new HashSet<string>();

    /// <summary>The node's named secrets (<c>akka.jobs.secrets</c>).</summary>
    public ISecretStore Secrets => secrets;

    /// <summary>Every registered handler name.</summary>
    public IReadOnlyCollection<string> Names => _names;

    /// <summary>True when a handler of that name is registered.</summary>
    public bool IsKnown(string name) => _names.Contains(name);

    /// <summary>The parameters of <paramref name="handler"/> shown to callers below admin: as registered, else the built-in handler's, else none.</summary>
    public IReadOnlySet<string> SafeParametersOf(string handler) =>
        _safe.TryGetValue(handler, out var declared) ? declared
        : ParameterRedaction.BuiltInSafe.TryGetValue(handler, out var builtIn) ? builtIn
        : NoneSafe;

    /// <summary>A fresh handler instance for one attempt.</summary>
    public IJobHandler Resolve(string name) =>
        IsKnown(name)
            ? services.GetRequiredKeyedService<IJobHandler>(name)
            : throw new JobHandlerException("unknown-handler", $"no handler named '{name}' is registered on this node", retryable: false);
}

/// <summary>DI registration of handlers.</summary>
public static class HandlerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="T"/> under <paramref name="name"/> (the definition's <c>handler</c>).
    /// <paramref name="safeParameters"/> names the parameters whose values viewers and operators may see (e.g. a report
    /// name); the values of all others are shown to admins only.
    /// </summary>
    public static IServiceCollection AddJobHandler<T>(this IServiceCollection services, string name, params IEnumerable<string> safeParameters)
        where T : class, IJobHandler
    {
        services.AddKeyedTransient<IJobHandler, T>(name);
        var safe = safeParameters.ToHashSet(StringComparer.Ordinal);
        services.AddSingleton(new JobHandlerRegistration(name, typeof(T), safe.Count > 0 ? safe : null));
        return services;
    }
}
