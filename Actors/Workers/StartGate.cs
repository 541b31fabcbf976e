using System.Collections.Concurrent;

namespace Akka.Jobs.Actors.Workers;

/// <summary>
/// Releases the attempts prepared for one instant together, from one timer. Each attempt's handler
/// is started directly by the releasing threads (one per core, a share each), so a thousand runs due
/// at the same instant all start within milliseconds of it. With a timer per attempt, each start sat
/// in the thread pool's queue behind the follow-up work of the starts before it (tens of ms at p99).
/// </summary>
internal static class StartGate
{
    private static readonly ConcurrentDictionary<(TimeProvider Clock, DateTimeOffset At), Gate> Gates = new();

    /// <summary>Completes at <paramref name="at"/> (at once when that has passed), or faults when <paramref name="cancel"/> fires.</summary>
    public static Task WaitAsync(DateTimeOffset at, TimeProvider clock, CancellationToken cancel)
    {
        var due = at - clock.GetUtcNow();
        if (due <= TimeSpan.Zero) return Task.CompletedTask;
        var key = (clock, at);
        var candidate = new Gate();
        var gate = Gates.GetOrAdd(key, candidate);
        if (ReferenceEquals(gate, candidate)) gate.Arm(key, clock, due);
        return gate.Enter() is { } waiter ? waiter.WaitAsync(cancel) : Task.CompletedTask;
    }

    private static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(1);

    /// <summary>How long before a large batch's instant a due-soon collection is done (longer than the longest gen0 pause seen, ~100 ms).</summary>
    internal static readonly TimeSpan CollectLead = TimeSpan.FromMilliseconds(250);

    /// <summary>From how many attempts at one instant the gate collects ahead.</summary>
    internal const int CollectFromBatch = 100;

    /// <summary>Raised (clock, instant, attempts waiting) when a gate asks for a collection ahead of its instant; for tests.</summary>
    internal static event Action<TimeProvider, DateTimeOffset, int>? CollectingAhead;

    private sealed class Gate
    {
        private readonly List<TaskCompletionSource> _waiters = [];
        private ITimer? _timer;
        private ITimer? _collectTimer;
        private bool _open;
        /// <summary>Set once by whichever caller opens the gate (its timer, or arming after the time has come).</summary>
        private int _opened;

        public void Arm((TimeProvider Clock, DateTimeOffset At) key, TimeProvider clock, TimeSpan due)
        {
            if (due > CollectLead) _collectTimer = clock.CreateTimer(_ => CollectAhead(key), null, due - CollectLead, Timeout.InfiniteTimeSpan);
            // A timer is due at the clock's time when it is set plus its delay: set while the clock jumps (a virtual clock
            // in tests, advanced by another thread) it would open late, or never. So the delay is recomputed until the
            // clock stood still around setting it, and a gate whose time has come meanwhile opens at once.
            // The timer exists (unarmed) before it can fire, so Open always finds it; it is (re)armed only while the gate
            // is closed, under the lock Open takes to close it for good.
            _timer = clock.CreateTimer(_ => Open(key), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            while (true)
            {
                var before = clock.GetUtcNow();
                if (key.At <= before)
                {
                    Open(key);
                    return;
                }
                lock (_waiters)
                {
                    if (_open) return;
                    _timer.Change(key.At - before, Timeout.InfiniteTimeSpan);
                }
                if (clock.GetUtcNow() - before < MinWait) return;
            }
        }

        /// <summary>
        /// A garbage collection stops every thread; one that starts while a batch is being released delays
        /// the rest of the batch by its pause (40-100 ms with a thousand runs in flight, the whole S2 tail).
        /// Collections start when an allocation exhausts the gen0 budget, and releasing a batch and recording
        /// its outcomes allocates a lot at once. So before a large batch the gate asks for the collection the
        /// runtime would soon start anyway: Optimized mode collects only when most of the budget is used (over
        /// 70 %), and does nothing otherwise. The pause then falls in the quiet time before the instant.
        /// </summary>
        private void CollectAhead((TimeProvider Clock, DateTimeOffset At) key)
        {
            _collectTimer?.Dispose();
            int waiting;
            lock (_waiters) waiting = _open ? 0 : _waiters.Count;
            if (waiting < CollectFromBatch) return;
            CollectingAhead?.Invoke(key.Clock, key.At, waiting);
            var fullBefore = GC.CollectionCount(2);
            GC.Collect(0, GCCollectionMode.Optimized, blocking: true);
            // The runtime may start a background gen2 collection instead (seen when gen2's budget is used up),
            // which leaves gen0's budget as it was: the gen0 collection would then start during the release,
            // as a foreground collection inside the background one. Do it now, as asked.
            if (GC.CollectionCount(2) != fullBefore) GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }

        /// <summary>A task to wait on, or null when the gate is already open.</summary>
        public Task? Enter()
        {
            lock (_waiters)
            {
                if (_open) return null;
                // Continuations run synchronously on the releasing thread: that is the point.
                var waiter = new TaskCompletionSource(TaskCreationOptions.None);
                _waiters.Add(waiter);
                return waiter.Task;
            }
        }

        private void Open((TimeProvider Clock, DateTimeOffset At) key)
        {
            // Timers count a monotonic clock in whole milliseconds and may fire a little before the wall
            // clock reaches the instant (seen: 2 ms). A run must never start before its time: wait the rest.
            var early = key.At - key.Clock.GetUtcNow();
            if (early > TimeSpan.Zero)
            {
                lock (_waiters)
                    if (!_open) _timer!.Change(early > MinWait ? early : MinWait, Timeout.InfiniteTimeSpan);
                return;
            }
            if (Interlocked.Exchange(ref _opened, 1) == 1) return;
            Gates.TryRemove(new KeyValuePair<(TimeProvider, DateTimeOffset), Gate>(key, this));
            TaskCompletionSource[] waiters;
            lock (_waiters)
            {
                _open = true;
                waiters = [.. _waiters];
                _waiters.Clear();
            }
            _timer?.Dispose();
            _collectTimer?.Dispose();
            if (waiters.Length < 16) foreach (var w in waiters) w.TrySetResult();
            else Parallel.ForEach(Partitioner.Create(0, waiters.Length, (waiters.Length + Environment.ProcessorCount - 1) / Environment.ProcessorCount),
                range => { for (var i = range.Item1; i < range.Item2; i++) waiters[i].TrySetResult(); });
        }
    }
}
