namespace Akka.Jobs.Actors.Handlers;

/// <summary>Does nothing and succeeds; for manual markers, tests and benchmarks.</summary>
public sealed class NoopHandler : IJobHandler
{
    /// <inheritdoc />
    public Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken) =>
        Task.FromResult(HandlerResult.Empty);
}
