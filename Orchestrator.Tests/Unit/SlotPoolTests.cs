using Akka.Jobs.Actors.Workers;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

public sealed class SlotPoolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_free_slot_is_taken_at_once_and_counted()
    {
        var pool = new SlotPool("test", 2);

        var a = pool.AcquireAsync(CancellationToken.None);
        var b = pool.AcquireAsync(CancellationToken.None);

        Assert.True(a.IsCompletedSuccessfully && b.IsCompletedSuccessfully);
        Assert.Equal((2, 0, 2), (pool.InUse, pool.Waiting, pool.Peak));
        (await a).Dispose();
        (await b).Dispose();
        Assert.Equal((0, 2), (pool.InUse, pool.Peak));
    }

    [Fact]
    public async Task Waiters_get_slots_in_the_order_they_asked()
    {
        var pool = new SlotPool("test", 1);
        var first = await pool.AcquireAsync(CancellationToken.None);
        var order = new List<int>();
        var waiters = Enumerable.Range(1, 5).Select(i => Take(i)).ToList();
        Assert.Equal(5, pool.Waiting);

        first.Dispose();
        await Task.WhenAll(waiters).WaitAsync(Patience);

        Assert.Equal([1, 2, 3, 4, 5], order);
        Assert.Equal((0, 0, 1), (pool.InUse, pool.Waiting, pool.Peak));

        async Task Take(int i)
        {
            using var lease = await pool.AcquireAsync(CancellationToken.None);
            lock (order) order.Add(i);
        }
    }

    [Fact]
    public async Task A_newcomer_does_not_pass_a_waiter()
    {
        var pool = new SlotPool("test", 1);
        var held = await pool.AcquireAsync(CancellationToken.None);
        var waiter = pool.AcquireAsync(CancellationToken.None).AsTask();

        held.Dispose();
        var newcomer = pool.AcquireAsync(CancellationToken.None).AsTask();

        var lease = await waiter.WaitAsync(Patience);
        Assert.False(newcomer.IsCompleted);
        lease.Dispose();
        (await newcomer.WaitAsync(Patience)).Dispose();
        Assert.Equal(0, pool.InUse);
    }

    [Fact]
    public async Task Cancelling_a_waiter_takes_nothing_and_gives_nothing_back()
    {
        var pool = new SlotPool("test", 1);
        var held = await pool.AcquireAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var cancelled = pool.AcquireAsync(cts.Token).AsTask();
        var next = pool.AcquireAsync(CancellationToken.None).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Patience));
        Assert.Equal((1, 1), (pool.InUse, pool.Waiting));
        held.Dispose();
        var lease = await next.WaitAsync(Patience); // the cancelled waiter's turn went to the one behind it
        Assert.Equal((1, 0), (pool.InUse, pool.Waiting));
        lease.Dispose();
        Assert.Equal(0, pool.InUse);
    }

    [Fact]
    public async Task An_already_cancelled_token_takes_no_slot()
    {
        var pool = new SlotPool("test", 1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.AcquireAsync(new CancellationToken(canceled: true)).AsTask());

        Assert.Equal((0, 0), (pool.InUse, pool.Waiting));
    }

    [Fact]
    public async Task A_lease_gives_its_slot_back_exactly_once()
    {
        var pool = new SlotPool("test", 2);
        var lease = await pool.AcquireAsync(CancellationToken.None);
        var other = await pool.AcquireAsync(CancellationToken.None);

        lease.Dispose();
        lease.Dispose();

        Assert.Equal(1, pool.InUse);
        other.Dispose();
        Assert.Equal(0, pool.InUse);
    }

    [Fact]
    public async Task Many_concurrent_takers_never_exceed_the_limit_and_all_get_a_turn()
    {
        var pool = new SlotPool("test", 3);
        var running = 0;
        var most = 0;

        await Task.WhenAll(Enumerable.Range(0, 2_000).Select(_ => Task.Run(async () =>
        {
            using var lease = await pool.AcquireAsync(CancellationToken.None);
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref running);
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.InRange(most, 1, 3);
        Assert.Equal((0, 0), (pool.InUse, pool.Waiting));
        Assert.InRange(pool.Peak, 1, 3);
    }

    [Fact]
    public async Task Worker_slots_give_a_shell_attempt_both_slots_and_take_them_back_together()
    {
        var slots = new WorkerSlots(workerSlots: 5, shellSlots: 1);

        var shell = await slots.AcquireAsync("shell", CancellationToken.None);
        var noop = await slots.AcquireAsync("noop", CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var secondShell = slots.AcquireAsync("shell", cts.Token).AsTask();

        Assert.Equal((1, 2, 1), (slots.Shell.InUse, slots.All.InUse, slots.Shell.Waiting));
        Assert.Equal(0, slots.All.Waiting); // a shell attempt waiting for its shell slot holds no worker slot
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => secondShell.WaitAsync(Patience));
        shell.Dispose();
        shell.Dispose();
        noop.Dispose();
        Assert.Equal((0, 0, 0), (slots.Shell.InUse, slots.All.InUse, slots.Shell.Waiting));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
