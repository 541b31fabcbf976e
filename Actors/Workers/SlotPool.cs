namespace Akka.Jobs.Actors.Workers;

/// <summary>
/// A number of slots with a first-come, first-served queue. Taking a free slot while nobody waits is one
/// compare-and-swap and one small lease: thousands of attempts released at one instant by <see cref="StartGate"/>
/// pass without a lock, a semaphore or a task. Only a full pool queues. A lease returns its slot once, however often
/// it is disposed; a waiter whose token fires leaves the queue without having taken a slot.
/// </summary>
public sealed class SlotPool
{
    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource> _queue = new();
    private int _inUse;
    /// <summary>Waiters in the queue plus those about to join it; read without the lock by <see cref="Release"/>.</summary>
    private int _waiting;
    private int _peak;

    public SlotPool(string name, int limit)
    {
        Name = name;
        Limit = limit > 0 ? limit : throw new ArgumentOutOfRangeException(nameof(limit), limit, "a pool needs at least one slot");
    }

    /// <summary>What the slots are for, in log lines and stats.</summary>
    public string Name { get; }

    /// <summary>How many slots there are.</summary>
    public int Limit { get; }

    /// <summary>Slots taken now.</summary>
    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Callers waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>The most slots ever taken at once.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>A slot: at once when one is free and nobody waits, else when the callers before have had theirs.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired first; no slot was taken.</exception>
    public ValueTask<Lease> AcquireAsync(CancellationToken cancel)
    {
        if (cancel.IsCancellationRequested) return ValueTask.FromCanceled<Lease>(cancel);
        if (Volatile.Read(ref _waiting) == 0 && TryTake()) return new(new Lease(this));
        return new(QueueAsync(cancel));
    }

    private async Task<Lease> QueueAsync(CancellationToken cancel)
    {
        LinkedListNode<TaskCompletionSource> node;
        lock (_gate)
        {
            // Counted before trying, so a Release that frees a slot after this try sees a waiter and hands it over.
            Interlocked.Increment(ref _waiting);
            if (_queue.Count == 0 && TryTake())
            {
                Interlocked.Decrement(ref _waiting);
                return new Lease(this);
            }
            // Continuations run on the pool: a releaser must not run the next attempt inside its lock.
            node = _queue.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        await using (cancel.Register(() => Leave(node, cancel)))
            await node.Value.Task.ConfigureAwait(false);
        return new Lease(this);
    }

    /// <summary>A waiter's token fired: it leaves the queue, unless a slot was handed to it first (then it has the slot).</summary>
    private void Leave(LinkedListNode<TaskCompletionSource> node, CancellationToken cancel)
    {
        lock (_gate)
        {
            if (node.List is null) return;
            _queue.Remove(node);
            Interlocked.Decrement(ref _waiting);
        }
        node.Value.TrySetCanceled(cancel);
    }

    private bool TryTake()
    {
        var n = Volatile.Read(ref _inUse);
        while (n < Limit)
        {
            var seen = Interlocked.CompareExchange(ref _inUse, n + 1, n);
            if (seen == n)
            {
                RaisePeak(n + 1);
                return true;
            }
            n = seen;
        }
        return false;
    }

    private void RaisePeak(int n)
    {
        var peak = Volatile.Read(ref _peak);
        while (n > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, n, peak);
            if (seen == peak) return;
            peak = seen;
        }
    }

    private void Release()
    {
        Interlocked.Decrement(ref _inUse);
        if (Volatile.Read(ref _waiting) == 0) return;
        lock (_gate)
        {
            // The slot goes to the longest waiter; it is taken on the waiter's behalf, so no newcomer can get it first.
            while (_queue.First is { } first && TryTake())
            {
                _queue.RemoveFirst();
                Interlocked.Decrement(ref _waiting);
                first.Value.SetResult();
            }
        }
    }

    /// <summary>One taken slot, given back by the first <see cref="Dispose"/>.</summary>
    public sealed class Lease(SlotPool pool) : IDisposable
    {
        private SlotPool? _pool = pool;

        public void Dispose() => Interlocked.Exchange(ref _pool, null)?.Release();
    }
}
