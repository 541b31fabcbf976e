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

    private sealed class Gate
    {
        private readonly List<TaskCompletionSource> _waiters = [];
        private ITimer? _timer;
        private bool _open;

        public void Arm((TimeProvider Clock, DateTimeOffset At) key, TimeProvider clock, TimeSpan due) =>
            _timer = clock.CreateTimer(_ => Open(key), null, due, Timeout.InfiniteTimeSpan);

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
                _timer!.Change(early > MinWait ? early : MinWait, Timeout.InfiniteTimeSpan);
                return;
            }
            Gates.TryRemove(new KeyValuePair<(TimeProvider, DateTimeOffset), Gate>(key, this));
            TaskCompletionSource[] waiters;
            lock (_waiters)
            {
                _open = true;
                waiters = [.. _waiters];
                _waiters.Clear();
            }
            _timer?.Dispose();
            if (waiters.Length < 16) foreach (var w in waiters) w.TrySetResult();
            else Parallel.ForEach(Partitioner.Create(0, waiters.Length, (waiters.Length + Environment.ProcessorCount - 1) / Environment.ProcessorCount),
                range => { for (var i = range.Item1; i < range.Item2; i++) waiters[i].TrySetResult(); });
        }
    }
}
