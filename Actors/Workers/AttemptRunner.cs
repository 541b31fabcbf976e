using Akka.Actor;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Domain.Secrets;

namespace Akka.Jobs.Actors.Workers;

/// <summary>
/// Runs one attempt of one item as a Task piped back to itself, and tells its worker the raw outcome: succeeded,
/// failed (kind, message, retryable as the handler said), stopped by the run's deadline, or cancelled. Stopping the
/// actor cancels the handler (its process is killed, its request aborted). One is made per attempt, so it is an
/// <see cref="UntypedActor"/>: a ReceiveActor builds its handler table per instance.
/// </summary>
internal sealed class AttemptRunner : UntypedActor
{
    private readonly JobContext _context;
    private readonly JobHandlerRegistry _handlers;
    private readonly WorkerSlots _slots;
    private readonly TimeProvider _clock;
    private readonly DateTimeOffset _deadlineUtc;
    private readonly DateTimeOffset? _notBeforeUtc;
    /// <summary>Cancelled by the run's deadline, a <see cref="CancelAttempt"/> or this actor's stop.</summary>
    private CancellationTokenSource? _cts;
    /// <summary>Set before <see cref="_cts"/> is cancelled by a message or the stop, so the deadline can be told apart.</summary>
    private volatile bool _stopRequested;
    private DateTimeOffset _startedUtc;
    private string? _cancelReason;

    public AttemptRunner(JobContext context, JobHandlerRegistry handlers, WorkerSlots slots, TimeProvider clock, DateTimeOffset deadlineUtc, DateTimeOffset? notBeforeUtc)
    {
        _notBeforeUtc = notBeforeUtc;
        _context = context;
        _handlers = handlers;
        _slots = slots;
        _clock = clock;
        _deadlineUtc = deadlineUtc;
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case HandlerResult r:
                // Outputs and errors are persisted and shown to viewers: no secret value leaves the worker, whichever handler wrote it.
                Context.Parent.Tell(new AttemptSucceeded(_context.RunId, _context.Attempt, _startedUtc, _clock.GetUtcNow(), r.Output is null ? null : _handlers.Secrets.Mask(r.Output)));
                Context.Stop(Self);
                break;
            case Status.Failure f:
                Context.Parent.Tell(OutcomeOf(f.Cause));
                Context.Stop(Self);
                break;
            case CancelAttempt c:
                _cancelReason ??= c.Reason;
                _stopRequested = true;
                _cts?.Cancel();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    public static Props Props(JobContext context, JobHandlerRegistry handlers, WorkerSlots slots, TimeProvider clock, DateTimeOffset deadlineUtc, DateTimeOffset? notBeforeUtc) =>
        ActorProps.Of(() => new AttemptRunner(context, handlers, slots, clock, deadlineUtc, notBeforeUtc));

    protected override void PreStart()
    {
        var now = _clock.GetUtcNow();
        _startedUtc = now;
        IJobHandler handler;
        try
        {
            handler = _handlers.Resolve(_context.Definition.Handler);
        }
        catch (Exception e)
        {
            // Unknown on this node, or its constructor failed: an outcome like any other, not a crash of this actor.
            Self.Tell(new Status.Failure(e));
            return;
        }
        // The deadline is also enforced here so a handler stops even if the job actor's cancel is lost. One
        // source serves it and cancellation by message (a linked pair cost three sources per attempt).
        var remaining = _deadlineUtc - now;
        _cts = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _clock);
        if (remaining <= TimeSpan.Zero) _cts.Cancel(); // the deadline has passed already
        var token = _cts.Token;
        // Work prepared ahead of its scheduled time waits for it here, at a gate shared by everything due
        // at that instant: at the time itself only the handler starts, with no journal write or actor
        // message in between.
        var wait = _notBeforeUtc is { } notBefore ? notBefore - now : TimeSpan.Zero;
        Task.Run(async () =>
        {
            WorkerSlots.Held slots = default;
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await StartGate.WaitAsync(_notBeforeUtc!.Value, _clock, token).ConfigureAwait(false);
                    _startedUtc = _clock.GetUtcNow();
                }
                // The node's slots are taken at the start time, not while waiting for it, and only full pools make this wait.
                var acquiring = _slots.AcquireAsync(_context.Definition.Handler, token);
                var queued = !acquiring.IsCompleted;
                slots = await acquiring.ConfigureAwait(false);
                if (queued) _startedUtc = _clock.GetUtcNow();
                return Capped(await handler.ExecuteAsync(_context, token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested && !_stopRequested)
            {
                throw new DeadlinePassed();
            }
            finally
            {
                // When the handler has ended, not when this actor stops: a cancelled program holds its slot until it is gone.
                slots.Dispose();
            }
        }, CancellationToken.None).PipeTo(Self);
    }

    private object OutcomeOf(Exception cause)
    {
        var error = cause is AggregateException { InnerException: { } inner } ? inner : cause;
        var now = _clock.GetUtcNow();
        if (_cancelReason is not null || error is OperationCanceledException && _stopRequested)
            return new AttemptCancelled(_context.RunId, _context.Attempt, now, _cancelReason ?? "cancelled");
        return error switch
        {
            DeadlinePassed => new AttemptTimedOut(_context.RunId, _context.Attempt, _startedUtc, now),
            JobHandlerException h => new AttemptErrored(_context.RunId, _context.Attempt, _startedUtc, now, h.Kind, ErrorText(_handlers.Secrets, h.Message), h.Retryable),
            _ => new AttemptErrored(_context.RunId, _context.Attempt, _startedUtc, now, error.GetType().Name, ErrorText(_handlers.Secrets, error.Message), true),
        };
    }

    /// <summary>
    /// Whatever a handler returns is kept with the attempt, journaled and shown to viewers: a custom handler's output
    /// is cut to the same 4 KB tail as the shell handler's, so no handler can make an attempt's record large.
    /// </summary>
    private static HandlerResult Capped(HandlerResult result) =>
        result.Output is { } output && Utf8Clip.Tail(output, OutputTail.DefaultMaxBytes) is var tail && !ReferenceEquals(tail, output)
            ? result with { Output = tail }
            : result;

    /// <summary>
    /// An error message as it is reported, journaled and shown to viewers: the node's secret values masked, and its start
    /// (what failed) and its end (a failed program's last output) kept within 4 KB.
    /// </summary>
    internal static string ErrorText(ISecretStore secrets, string message) =>
        Utf8Clip.HeadAndTail(secrets.Mask(message), OutputTail.DefaultMaxBytes);

    protected override void PostStop()
    {
        _stopRequested = true;
        _cts?.Cancel();
        _cts?.Dispose();
    }
}

/// <summary>The run's deadline cancelled the attempt (not a handler's own timeout, and not a cancel by message).</summary>
internal sealed class DeadlinePassed : Exception;

internal sealed record AttemptSucceeded(string RunId, int Attempt, DateTimeOffset StartedUtc, DateTimeOffset FinishedUtc, string? Output);

internal sealed record AttemptErrored(string RunId, int Attempt, DateTimeOffset StartedUtc, DateTimeOffset FailedUtc, string Kind, string Message, bool Retryable);

internal sealed record AttemptTimedOut(string RunId, int Attempt, DateTimeOffset StartedUtc, DateTimeOffset AtUtc);

internal sealed record AttemptCancelled(string RunId, int Attempt, DateTimeOffset CancelledUtc, string Reason);

internal sealed record CancelAttempt(string Reason);
