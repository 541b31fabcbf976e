using Akka.Jobs.Domain.Definitions;

namespace Akka.Jobs.Actors.Workers;

/// <summary>
/// The node's limits on attempts whose handler runs at once: every attempt takes one of <see cref="All"/>
/// (<c>akka.jobs.engine.worker-slots</c>), and a shell attempt first one of <see cref="Shell"/> (<c>shell-slots</c>).
/// Two pools because the costs differ by orders of magnitude: a process per shell attempt needs a limit near the core
/// count, while a noop or http attempt costs a task, and thousands of them due at one instant must start at that
/// instant. An attempt waits for its slots after its not-before time and before its handler starts; its worker keeps
/// reporting heartbeats meanwhile, and cancel and the run's deadline end the wait. One instance per node (DI).
/// </summary>
public sealed class WorkerSlots(int workerSlots, int shellSlots)
{
    /// <summary>Limits so high they never bind; for tests that make workers without a node.</summary>
    public static readonly WorkerSlots Unlimited = new(int.MaxValue, int.MaxValue);

    public WorkerSlots(JobsSettings settings) : this(settings.WorkerSlots, settings.ShellSlots) { }

    /// <summary>Every attempt's slot.</summary>
    public SlotPool All { get; } = new("worker", workerSlots);

    /// <summary>A shell attempt's slot, taken before its <see cref="All"/> slot (one order for all: no deadlock).</summary>
    public SlotPool Shell { get; } = new("shell", shellSlots);

    /// <summary>The slots an attempt of <paramref name="handler"/> needs, given back together by <see cref="Held.Dispose"/>.</summary>
    public async ValueTask<Held> AcquireAsync(string handler, CancellationToken cancel)
    {
        var own = handler == HandlerParameterValidation.Shell ? await Shell.AcquireAsync(cancel).ConfigureAwait(false) : null;
        try
        {
            return new Held(own, await All.AcquireAsync(cancel).ConfigureAwait(false));
        }
        catch
        {
            own?.Dispose();
            throw;
        }
    }

    /// <summary>The slots of one attempt; disposing twice gives nothing back twice (each lease returns once).</summary>
    public readonly record struct Held(SlotPool.Lease? Handler, SlotPool.Lease? Worker) : IDisposable
    {
        public void Dispose()
        {
            Worker?.Dispose();
            Handler?.Dispose();
        }
    }
}
