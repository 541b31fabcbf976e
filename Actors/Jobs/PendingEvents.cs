using Akka.Jobs.Domain.Jobs;
namespace Akka.Jobs.Actors.Jobs;

/// <summary>
/// Events a job actor has decided but not yet written, with the replies that must wait for them. The
/// job actor writes them as one batch (group commit): outcomes that arrive while a write is in progress
/// share the next write instead of taking one database round trip each, which is what bounds a fan-out
/// run's item rate. Decisions read the state with these events applied, so the batch decides exactly as
/// one write per command would.
/// </summary>
internal sealed class PendingEvents
{
    private readonly List<IJobEvent> _events = [];
    private readonly Queue<(int After, Action Action)> _actions = new();

    public bool IsEmpty => _events.Count == 0;

    public void Add(IEnumerable<IJobEvent> events) => _events.AddRange(events);

    /// <summary>Runs <paramref name="action"/> once every event added so far is written (at once when none is pending).</summary>
    public void AfterWritten(Action action)
    {
        if (_events.Count == 0) action();
        else _actions.Enqueue((_events.Count, action));
    }

    /// <summary>Takes the batch to write; call <see cref="Written"/> with the count of its events applied so far.</summary>
    public IReadOnlyList<IJobEvent> TakeBatch()
    {
        var batch = _events.ToArray();
        _events.Clear();
        return batch;
    }

    /// <summary>The first <paramref name="applied"/> events of the batch are written and applied: run what waited for them.</summary>
    public void Written(int applied)
    {
        while (_actions.TryPeek(out var a) && a.After <= applied)
        {
            _actions.Dequeue();
            a.Action();
        }
    }

    /// <summary>The journal rejected the batch: nothing of it holds, and nobody is answered.</summary>
    public void Rejected() => _actions.Clear();
}
