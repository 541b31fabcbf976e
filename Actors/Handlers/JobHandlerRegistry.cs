using Akka.Jobs.Domain.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>Names a handler registered with <see cref="HandlerServiceCollectionExtensions.AddJobHandler{T}"/>.</summary>
public sealed record JobHandlerRegistration(string Name, Type HandlerType);

/// <summary>
/// Handlers by name, resolved from DI (keyed services, one instance per attempt), and the node's secrets they may use:
/// the scheduler checks a definition's secret references with them and the attempt runner masks their values in what a
/// handler reports. The registry carries them because every actor that needs them already holds it.
/// </summary>
public sealed class JobHandlerRegistry(IServiceProvider services, IEnumerable<JobHandlerRegistration> registrations, ISecretStore secrets)
{
    private readonly HashSet<string> _names = registrations.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The node's named secrets (<c>akka.jobs.secrets</c>).</summary>
    public ISecretStore Secrets => secrets;

    /// <summary>Every registered handler name.</summary>
    public IReadOnlyCollection<string> Names => _names;

    /// <summary>True when a handler of that name is registered.</summary>
    public bool IsKnown(string name) => _names.Contains(name);

    /// <summary>A fresh handler instance for one attempt.</summary>
    public IJobHandler Resolve(string name) =>
        IsKnown(name)
            ? services.GetRequiredKeyedService<IJobHandler>(name)
            : throw new JobHandlerException("unknown-handler", $"no handler named '{name}' is registered on this node", retryable: false);
}

/// <summary>DI registration of handlers.</summary>
public static class HandlerServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="T"/> under <paramref name="name"/> (the definition's <c>handler</c>).</summary>
    public static IServiceCollection AddJobHandler<T>(this IServiceCollection services, string name) where T : class, IJobHandler
    {
        services.AddKeyedTransient<IJobHandler, T>(name);
        services.AddSingleton(new JobHandlerRegistration(name, typeof(T)));
        return services;
    }
}
