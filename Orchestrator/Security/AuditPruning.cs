using Akka.Jobs.Orchestrator.Configuration;

namespace Akka.Jobs.Orchestrator.Security;

/// <summary>Deletes audit entries older than <c>akka.jobs.audit.retention</c>, at start and every hour.</summary>
public sealed class AuditPruning(AuditLog audit, NodeOptions options, TimeProvider clock, ILogger<AuditPruning> log) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pruned = await audit.Store.PruneAsync(clock.GetUtcNow() - options.AuditRetention, stoppingToken);
                if (pruned > 0) log.LogInformation("Audit log: {Count} entries older than {Retention} deleted", pruned, options.AuditRetention);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning("Audit log pruning failed, retrying in an hour: {Error}", ex.Message);
            }
            try { await Task.Delay(Every, clock, stoppingToken); } catch (OperationCanceledException) { return; }
        }
    }
}
