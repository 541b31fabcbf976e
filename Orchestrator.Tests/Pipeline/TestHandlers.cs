using System.Collections.Concurrent;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>One call of a test handler, with the virtual time it started and ended.</summary>
public sealed record HandlerCall(JobContext Context, DateTimeOffset StartedUtc)
{
    public DateTimeOffset? EndedUtc { get; set; }
    public bool Cancelled { get; set; }
}

/// <summary>Shared log of handler calls for one test.</summary>
public sealed class HandlerLog
{
    public ConcurrentQueue<HandlerCall> Calls { get; } = new();

    public IReadOnlyList<HandlerCall> For(string jobId) => Calls.Where(c => c.Context.JobId == jobId).ToList();
}

/// <summary>
/// Behaviour from parameters: <c>failUntil</c> (attempt number that first succeeds),
/// <c>nonRetryable</c> ("true"), <c>durationMs</c> (virtual time the work takes), <c>hang</c> ("true":
/// runs until cancelled), <c>outputChars</c> (output of that many chars, then "THE-END"), <c>errorChars</c> (fails
/// with a message of that many chars, then "THE-END").
/// </summary>
public sealed class ScriptedHandler(HandlerLog log, TimeProvider clock) : IJobHandler
{
    public async Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        var call = new HandlerCall(context, clock.GetUtcNow());
        var p = context.Parameters;
        // The virtual-time delay is registered before the call becomes visible, so a test that sees the
        // call and then advances time cannot outrun it.
        var work = p.GetString("hang") == "true" ? Task.Delay(Timeout.InfiniteTimeSpan, clock, cancellationToken)
            : int.TryParse(p.GetString("durationMs"), out var ms) ? Task.Delay(TimeSpan.FromMilliseconds(ms), clock, cancellationToken)
            : Task.CompletedTask;
        log.Calls.Enqueue(call);
        try
        {
            await work;
        }
        catch (OperationCanceledException)
        {
            call.Cancelled = true;
            call.EndedUtc = clock.GetUtcNow();
            throw;
        }
        call.EndedUtc = clock.GetUtcNow();
        if (int.TryParse(p.GetString("errorChars"), out var errorChars))
            throw new JobHandlerException("huge", "BEGIN-" + new string('e', errorChars) + "THE-END");
        if (int.TryParse(p.GetString("outputChars"), out var outputChars))
            return new HandlerResult(new string('o', outputChars) + "THE-END");
        if (p.GetString("nonRetryable") == "true")
            throw new JobHandlerException("bad-input", $"attempt {context.Attempt} rejected", retryable: false);
        if (int.TryParse(p.GetString("failUntil"), out var okAt) && context.Attempt < okAt)
            throw new JobHandlerException("flaky", $"attempt {context.Attempt} failed");
        return new HandlerResult($"ok at attempt {context.Attempt}");
    }
}
