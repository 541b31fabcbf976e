using Akka.Jobs.Domain.Jobs;
namespace Akka.Jobs.Actors.Jobs;

/// <summary>
/// What the job actor knows of an item in flight: the attempt number it handed out, when it last heard of it, the
/// worker's node once it confirmed, and the instant the attempt may not start before. Not persisted (a restart
/// resumes or interrupts).
/// </summary>
internal sealed record WorkLease(int Attempt, DateTimeOffset LastHeardUtc, string? Node, DateTimeOffset? NotBeforeUtc = null);

/// <summary>
/// A job actor's dispatch bookkeeping per run: the leases of items in flight and a queue of items waiting
/// to be dispatched. Kept per run so that dispatching the next item, counting a run's items in flight and
/// closing a run cost O(1) or O(in flight), never a scan of all of a fan-out's items. Not persisted: a
/// recovered job actor resumes its runs, which fills the queues again from the open items.
/// </summary>
internal sealed class InFlightWork
{
    private readonly Dictionary<string, RunWork> _runs = [];

    /// <summary>Items in flight over all runs.</summary>
    public int Count => _runs.Values.Sum(r => r.Leases.Count);

    /// <summary>Every lease, for the periodic lease check (O(in flight)).</summary>
    public IEnumerable<(string RunId, string Item, WorkLease Lease)> All =>
        _runs.SelectMany(r => r.Value.Leases.Select(l => (r.Key, l.Key, l.Value)));

    /// <summary>The leases of one run.</summary>
    public IReadOnlyDictionary<string, WorkLease> Of(string runId) =>
        _runs.TryGetValue(runId, out var run) ? run.Leases : EmptyLeases;

    /// <summary>A run (re)starts: its open items wait for dispatch in this order; nothing of it is in flight.</summary>
    public void Start(string runId, IEnumerable<string> openItems) => _runs[runId] = new RunWork(new Queue<string>(openItems));

    /// <summary>An open item lost its lease (its worker is gone): it waits for dispatch again.</summary>
    public void Requeue(string runId, string item)
    {
        if (_runs.TryGetValue(runId, out var run)) run.Waiting.Enqueue(item);
    }

    /// <summary>
    /// The next waiting item that is not in flight and that <paramref name="isOpen"/> says still needs work.
    /// Queue entries may be stale (an item finished or got dispatched meanwhile): they are dropped here, so
    /// each entry is looked at once.
    /// </summary>
    public bool TryNext(string runId, int maxInFlight, Func<string, bool> isOpen, out string item)
    {
        item = "";
        if (!_runs.TryGetValue(runId, out var run)) return false;
        while (run.Leases.Count < maxInFlight && run.Waiting.TryDequeue(out var next))
        {
            if (run.Leases.ContainsKey(next) || !isOpen(next)) continue;
            item = next;
            return true;
        }
        return false;
    }

    public bool TryGet(string runId, string item, out WorkLease lease)
    {
        lease = null!;
        return _runs.TryGetValue(runId, out var run) && run.Leases.TryGetValue(item, out lease!);
    }

    /// <summary>Records or updates a lease; ignored for a run that is not dispatching.</summary>
    public void Set(string runId, string item, WorkLease lease)
    {
        if (_runs.TryGetValue(runId, out var run)) run.Leases[item] = lease;
    }

    /// <summary>Drops a lease; true when there was one.</summary>
    public bool Remove(string runId, string item) => _runs.TryGetValue(runId, out var run) && run.Leases.Remove(item);

    /// <summary>The run ended: forgets it and returns the items that were still in flight.</summary>
    public IReadOnlyCollection<string> Finish(string runId) =>
        _runs.Remove(runId, out var run) ? run.Leases.Keys : [];

    private static readonly IReadOnlyDictionary<string, WorkLease> EmptyLeases = new Dictionary<string, WorkLease>();

    private sealed record RunWork(Queue<string> Waiting)
    {
        public Dictionary<string, WorkLease> Leases { get; } = [];
    }
}
