using Akka.Actor;
using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Orchestrator.Configuration;

namespace Akka.Jobs.Orchestrator.Node;

/// <summary>
/// Registers the definitions of <c>akka.jobs.definitions</c> once the cluster is up. Registration is
/// an upsert; an unchanged definition persists nothing, so restarts do not grow the journal.
/// </summary>
public sealed class DefinitionsRegistrar(NodeOptions options, ActorSystem system, IRequiredActor<SchedulerProxy> scheduler, ILogger<DefinitionsRegistrar> log)
    : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _done;

    /// <summary>True once every configured definition was registered (or rejected); /readyz waits for it.</summary>
    public bool Done => _done || options.Definitions.Count == 0;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Definitions.Count == 0) return Task.CompletedTask;
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => _ = RegisterAllAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    private async Task RegisterAllAsync(CancellationToken ct)
    {
        foreach (var definition in options.Definitions)
        {
            for (var attempt = 1; !ct.IsCancellationRequested; attempt++)
            {
                try
                {
                    var reply = await scheduler.ActorRef.Ask<object>(new RegisterJob(definition), TimeSpan.FromSeconds(10), ct);
                    if (reply is CommandRejected r)
                        log.LogError("Job {JobId} from {Config} was rejected: {Errors}", definition.Id, options.ConfigPath, string.Join("; ", r.Errors));
                    break;
                }
                catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    log.LogWarning("Scheduler not reachable yet to register {JobId} (attempt {Attempt})", definition.Id, attempt);
                }
            }
        }
        _done = true;
        log.LogInformation("Registered {Count} job definitions from {Config}", options.Definitions.Count, options.ConfigPath);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }
}
