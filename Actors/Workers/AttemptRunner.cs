using Akka.Actor;
using Akka.Jobs.Actors.Handlers;

namespace Akka.Jobs.Actors.Workers;

/// <summary>
/// Runs one attempt of one item as a Task piped back to itself. A failed attempt is thrown as
/// <see cref="AttemptFailedException"/> so the parent's supervision decides about the retry.
/// Stopping the actor cancels the handler (its process is killed, its request aborted).
/// </summary>
internal sealed class AttemptRunner : ReceiveActor
{
    /// <summary>Error kind of an attempt stopped by the run's deadline (not a handler's own timeout).</summary>
    public const string DeadlineKind = Supervision.JobState.RunDeadlineKind;

    private readonly JobContext _context;
    private readonly JobHandlerRegistry _handlers;
    private readonly TimeProvider _clock;
    private readonly DateTimeOffset _deadlineUtc;
    private readonly DateTimeOffset? _notBeforeUtc;
    private readonly CancellationTokenSource _cts = new();
    private DateTimeOffset _startedUtc;
    private string? _cancelReason;

    public AttemptRunner(JobContext context, JobHandlerRegistry handlers, TimeProvider clock, DateTimeOffset deadlineUtc, DateTimeOffset? notBeforeUtc)
    {
        _notBeforeUtc = notBeforeUtc;
        _context = context;
        _handlers = handlers;
        _clock = clock;
        _deadlineUtc = deadlineUtc;

        Receive<HandlerResult>(r =>
        {
            Context.Parent.Tell(new AttemptSucceeded(_context.RunId, _context.Attempt, _startedUtc, _clock.GetUtcNow(), r.Output));
            Context.Stop(Self);
        });
        Receive<Status.Failure>(f => OnFailure(f.Cause));
        Receive<CancelAttempt>(c =>
        {
            _cancelReason ??= c.Reason;
            _cts.Cancel();
        });
    }

    public static Props Props(JobContext context, JobHandlerRegistry handlers, TimeProvider clock, DateTimeOffset deadlineUtc, DateTimeOffset? notBeforeUtc) =>
        ActorProps.Of(() => new AttemptRunner(context, handlers, clock, deadlineUtc, notBeforeUtc));

    protected override void PreStart()
    {
        var now = _clock.GetUtcNow();
        _startedUtc = now;
        var handler = _handlers.Resolve(_context.Definition.Handler);
        var token = _cts.Token;
        // The deadline is also enforced here so a handler stops even if the supervisor's cancel is lost.
        var remaining = _deadlineUtc - now;
        if (remaining <= TimeSpan.Zero) _cts.Cancel();
        // Work prepared ahead of its scheduled time waits for it here, at a gate shared by everything due
        // at that instant: at the time itself only the handler starts, with no journal write or actor
        // message in between.
        var wait = _notBeforeUtc is { } notBefore ? notBefore - now : TimeSpan.Zero;
        Task.Run(async () =>
        {
            using var deadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, deadline.Token);
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await StartGate.WaitAsync(_notBeforeUtc!.Value, _clock, linked.Token).ConfigureAwait(false);
                    _startedUtc = _clock.GetUtcNow();
                }
                return await handler.ExecuteAsync(_context, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !token.IsCancellationRequested)
            {
                throw new JobHandlerException(DeadlineKind, "the run's deadline passed during this attempt", retryable: false);
            }
        }, CancellationToken.None).PipeTo(Self);
    }

    private void OnFailure(Exception cause)
    {
        var error = cause is AggregateException { InnerException: { } inner } ? inner : cause;
        var now = _clock.GetUtcNow();
        if (_cancelReason is not null || error is OperationCanceledException && _cts.IsCancellationRequested)
        {
            Context.Parent.Tell(new AttemptCancelled(_context.RunId, _context.Attempt, now, _cancelReason ?? "cancelled"));
            Context.Stop(Self);
            return;
        }
        throw error is JobHandlerException h
            ? new AttemptFailedException(_context.RunId, _context.Attempt, _startedUtc, now, h.Kind, h.Message, h.Retryable, h)
            : new AttemptFailedException(_context.RunId, _context.Attempt, _startedUtc, now, error.GetType().Name, error.Message, true, error);
    }

    protected override void PostStop()
    {
        _cts.Cancel();
        _cts.Dispose();
    }
}

/// <summary>An attempt's failure, raised to the worker's supervisor strategy.</summary>
internal sealed class AttemptFailedException(
    string runId, int attempt, DateTimeOffset startedUtc, DateTimeOffset failedUtc, string kind, string message, bool retryable, Exception inner)
    : Exception(message, inner)
{
    public string RunId { get; } = runId;
    public int Attempt { get; } = attempt;
    public DateTimeOffset StartedUtc { get; } = startedUtc;
    public DateTimeOffset FailedUtc { get; } = failedUtc;
    public string Kind { get; } = kind;
    public bool Retryable { get; } = retryable;
}

internal sealed record AttemptSucceeded(string RunId, int Attempt, DateTimeOffset StartedUtc, DateTimeOffset FinishedUtc, string? Output);

internal sealed record AttemptCancelled(string RunId, int Attempt, DateTimeOffset CancelledUtc, string Reason);

internal sealed record CancelAttempt(string Reason);
