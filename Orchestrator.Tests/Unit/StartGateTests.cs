using Akka.Jobs.Actors.Workers;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

public sealed class StartGateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Waiters_for_one_instant_are_released_together_at_that_instant_and_not_before()
    {
        var clock = new FakeTimeProvider(T0);
        var at = T0.AddMilliseconds(500);
        var waiters = Enumerable.Range(0, 100).Select(_ => StartGate.WaitAsync(at, clock, CancellationToken.None)).ToList();
        var later = StartGate.WaitAsync(at.AddSeconds(1), clock, CancellationToken.None);

        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.All(waiters, w => Assert.False(w.IsCompleted));

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(later.IsCompleted);
        Assert.True(StartGate.WaitAsync(at, clock, CancellationToken.None).IsCompleted); // that instant has passed
    }

    [Fact]
    public async Task A_cancelled_waiter_stops_waiting_and_the_others_are_still_released()
    {
        var clock = new FakeTimeProvider(T0);
        var at = T0.AddSeconds(1);
        using var cts = new CancellationTokenSource();
        var cancelled = StartGate.WaitAsync(at, clock, cts.Token);
        var kept = StartGate.WaitAsync(at, clock, CancellationToken.None);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        clock.Advance(TimeSpan.FromSeconds(1));
        await kept.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_timer_that_fires_early_does_not_release_before_the_clock_reaches_the_instant()
    {
        var clock = new EarlyTimers(new FakeTimeProvider(T0), TimeSpan.FromMilliseconds(5));
        var at = T0.AddMilliseconds(500);
        var waiter = StartGate.WaitAsync(at, clock, CancellationToken.None);

        clock.Inner.Advance(TimeSpan.FromMilliseconds(496)); // the timer has fired, the clock is 4 ms short
        await Task.Delay(50);
        Assert.False(waiter.IsCompleted);

        clock.Inner.Advance(TimeSpan.FromMilliseconds(4));
        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_large_batch_asks_for_a_collection_ahead_of_its_instant_and_a_small_one_does_not()
    {
        var clock = new FakeTimeProvider(T0);
        var large = T0.AddSeconds(1);
        var small = T0.AddSeconds(2);
        var asked = new List<(DateTimeOffset At, int Waiting, DateTimeOffset Now)>();
        void OnCollecting(TimeProvider c, DateTimeOffset at, int waiting)
        {
            if (ReferenceEquals(c, clock)) lock (asked) asked.Add((at, waiting, clock.GetUtcNow()));
        }
        StartGate.CollectingAhead += OnCollecting;
        try
        {
            for (var i = 0; i < StartGate.CollectFromBatch; i++) _ = StartGate.WaitAsync(large, clock, CancellationToken.None);
            for (var i = 0; i < StartGate.CollectFromBatch - 1; i++) _ = StartGate.WaitAsync(small, clock, CancellationToken.None);

            clock.Advance(TimeSpan.FromSeconds(1) - StartGate.CollectLead - TimeSpan.FromMilliseconds(1));
            lock (asked) Assert.Empty(asked);
            clock.Advance(TimeSpan.FromMilliseconds(1));
            lock (asked) Assert.Equal([(large, StartGate.CollectFromBatch, large - StartGate.CollectLead)], asked);

            clock.Advance(TimeSpan.FromSeconds(2));
            lock (asked) Assert.Single(asked); // 99 waiting for the second instant: no collection asked
        }
        finally
        {
            StartGate.CollectingAhead -= OnCollecting;
        }
    }

    /// <summary>A clock whose timers fire <c>early</c> before their due time, as real timers may (when set or changed).</summary>
    private sealed class EarlyTimers(FakeTimeProvider inner, TimeSpan early) : TimeProvider
    {
        public FakeTimeProvider Inner { get; } = inner;

        public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new EarlyTimer(Inner.CreateTimer(callback, state, Early(dueTime), period), this);

        private TimeSpan Early(TimeSpan due) => due > early ? due - early : due;

        private sealed class EarlyTimer(ITimer timer, EarlyTimers clock) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(clock.Early(dueTime), period);

            public void Dispose() => timer.Dispose();

            public ValueTask DisposeAsync() => timer.DisposeAsync();
        }
    }
}
