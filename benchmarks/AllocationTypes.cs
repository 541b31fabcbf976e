using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Akka.Jobs.Benchmarks;

/// <summary>
/// Which types a run allocates (BENCH_ALLOC_TYPES=1): listens to the runtime's allocation-tick events (one
/// per ~100 KB allocated, naming the type that crossed the mark) and sums the bytes per type. A sample, not
/// an exact count: types allocated often dominate it just as they dominate the GC's work.
/// </summary>
public sealed class AllocationTypes : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private volatile bool _on;

    public void Start() { _bytes.Clear(); _on = true; }

    public IReadOnlyList<(string Type, long Bytes)> Stop(int top)
    {
        _on = false;
        return _bytes.OrderByDescending(kv => kv.Value).Take(top).Select(kv => (kv.Key, kv.Value)).ToList();
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        var names = e.PayloadNames!;
        var type = names.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
        var amount = names.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a]) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, v) => v + amount);
    }
}
