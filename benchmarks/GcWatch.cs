using System.Diagnostics;

namespace Akka.Jobs.Benchmarks;

/// <summary>
/// Finds the process-wide pauses behind late starts: a dedicated thread samples the runtime's total GC
/// pause time and collection counts every few milliseconds and keeps each sample interval in which a
/// collection happened (the sampler itself stops during a pause, so the pause shows as a jump), plus
/// the longest gap between two samples per second (a stall that was not a GC, e.g. CPU starvation).
/// </summary>
public sealed class GcWatch : IDisposable
{
    public readonly record struct Pause(DateTimeOffset From, DateTimeOffset To, double PauseMs, int Gen0, int Gen1, int Gen2, long PromotedMb, long HeapMb);

    private readonly List<Pause> _pauses = [];
    private readonly Dictionary<long, double> _worstGapBySecond = [];
    private readonly Thread _thread;
    private volatile bool _stop;

    public GcWatch()
    {
        _thread = new Thread(Sample) { IsBackground = true, Name = "bench-gc-watch", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    private void Sample()
    {
        var lastAt = Recorder.Now;
        var lastPause = GC.GetTotalPauseDuration();
        int c0 = GC.CollectionCount(0), c1 = GC.CollectionCount(1), c2 = GC.CollectionCount(2);
        while (!_stop)
        {
#pragma warning disable RS0030 // a dedicated sampler thread, not an actor: sleeping is its job
            Thread.Sleep(2);
#pragma warning restore RS0030
            var at = Recorder.Now;
            var pause = GC.GetTotalPauseDuration();
            int n0 = GC.CollectionCount(0), n1 = GC.CollectionCount(1), n2 = GC.CollectionCount(2);
            lock (_pauses)
            {
                if (pause > lastPause || n0 != c0)
                {
                    var info = GC.GetGCMemoryInfo(GCKind.Any);
                    _pauses.Add(new Pause(lastAt, at, (pause - lastPause).TotalMilliseconds, n0 - c0, n1 - c1, n2 - c2, info.PromotedBytes >> 20, info.HeapSizeBytes >> 20));
                }
                var second = at.ToUnixTimeSeconds();
                var gap = (at - lastAt).TotalMilliseconds;
                if (!_worstGapBySecond.TryGetValue(second, out var worst) || gap > worst) _worstGapBySecond[second] = gap;
            }
            (lastAt, lastPause, c0, c1, c2) = (at, pause, n0, n1, n2);
        }
    }

    public List<Pause> PausesBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_pauses) return _pauses.Where(p => p.To >= from && p.From <= to).ToList();
    }

    /// <summary>The longest the sampler went without running in the second that starts at <paramref name="second"/>.</summary>
    public double WorstGapMs(DateTimeOffset second)
    {
        lock (_pauses) return _worstGapBySecond.GetValueOrDefault(second.ToUnixTimeSeconds());
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
