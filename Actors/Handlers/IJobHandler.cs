using System.Text.Json;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// The code a job runs. One call is one attempt of one work item. Throw
/// <see cref="JobHandlerException"/> to name the error kind and say whether a retry can help;
/// any other exception counts as retryable. Honour the token: it fires on timeout, cancel and shutdown.
/// </summary>
public interface IJobHandler
{
    /// <summary>Runs one attempt.</summary>
    Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken);
}

/// <summary>
/// What a handler gets. <see cref="RunId"/>, <see cref="ItemKey"/> and <see cref="Attempt"/> are the
/// idempotency keys: an item can be delivered more than once when a node dies mid-attempt.
/// </summary>
public sealed record JobContext(
    string JobId,
    string RunId,
    string ItemKey,
    int Attempt,
    DateTimeOffset ScheduledUtc,
    JobDefinition Definition)
{
    /// <summary>The handler's parameters object.</summary>
    public JsonElement Parameters => Definition.Parameters;
}

/// <summary>A successful attempt; <see cref="Output"/> (trimmed to 4 KB) is kept with the attempt.</summary>
public sealed record HandlerResult(string? Output = null)
{
    /// <summary>Success without output.</summary>
    public static readonly HandlerResult Empty = new();
}

/// <summary>A failed attempt with a kind (e.g. <c>exit-code</c>, <c>http-4xx</c>) and whether retrying can help.</summary>
public sealed class JobHandlerException(string kind, string message, bool retryable = true, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>Error kind, matched against <c>retry.nonRetryable</c>.</summary>
    public string Kind { get; } = kind;

    /// <summary>False when retrying cannot help (bad request, missing command).</summary>
    public bool Retryable { get; } = retryable;
}
