using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Scheduler;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

/// <summary>The scheduler's emission decisions: what to send, re-send, checkpoint and tell when a node leaves.</summary>
public sealed class EmissionStateTests
{
    private static readonly EmissionTiming Timing = new(
        MisfireThreshold: TimeSpan.FromSeconds(5), PrepareAhead: TimeSpan.Zero, TickResendAfter: TimeSpan.FromSeconds(3),
        WarmUpAhead: TimeSpan.FromSeconds(20), PassivateIdleAfter: TimeSpan.FromMinutes(2));

    /// <summary>A job running every minute, created (and covered) at <see cref="Samples.T0"/>.</summary>
    private static (SchedulerState Durable, EmissionState Emission) Tracked(string id = "every-minute")
    {
        var durable = SchedulerState.Empty.Apply(new JobDefined(Definition(id) with { Schedule = "@every 1m", TimeZone = "UTC" }, T0));
        var emission = new EmissionState(Timing);
        emission.Track(durable.Jobs[id]);
        return (durable, emission);
    }

    private static TickAck Ack(Tick t, bool busy = false, long seq = 1) => new(t.JobId, t.ScheduledUtc, RunIds.For(t.JobId, t.ScheduledUtc), false, Busy: busy, Seq: seq);

    [Fact]
    public void Emit_sends_every_due_time_once_in_order_and_nothing_before_its_time()
    {
        var (durable, emission) = Tracked();
        var job = durable.Jobs["every-minute"];

        Assert.Empty(emission.Emit(job, T0.AddSeconds(59), out _));
        var ticks = emission.Emit(job, T0.AddMinutes(3), out var more);

        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(3)], ticks.Select(t => t.ScheduledUtc));
        Assert.All(ticks, t => Assert.Null(t.SkipReason));
        Assert.False(more);
        Assert.Empty(emission.Emit(job, T0.AddMinutes(3), out _));
    }

    [Fact]
    public void Watermark_moves_only_past_acknowledged_times_and_is_checkpointed_once()
    {
        var (durable, emission) = Tracked();
        var ticks = emission.Emit(durable.Jobs["every-minute"], T0.AddMinutes(3), out _);

        // 12:02 and 12:03 are acknowledged, 12:01 is not: the watermark stays before 12:01.
        emission.OnAck(Ack(ticks[1]), durable, T0.AddMinutes(3));
        emission.OnAck(Ack(ticks[2]), durable, T0.AddMinutes(3));
        var first = emission.Checkpoint(durable);
        Assert.True(first is null || !first.Watermarks.ContainsKey("every-minute") || first.Watermarks["every-minute"] < T0.AddMinutes(1));

        emission.OnAck(Ack(ticks[0]), durable, T0.AddMinutes(3));
        var checkpoint = Assert.IsType<WatermarksAdvanced>(emission.Checkpoint(durable));
        Assert.Equal(T0.AddMinutes(3), checkpoint.Watermarks["every-minute"]);
        Assert.Null(emission.Checkpoint(durable.Apply(checkpoint)));
    }

    [Fact]
    public void Unacknowledged_ticks_are_sent_again_after_the_resend_delay_and_acknowledged_ones_are_not()
    {
        var (durable, emission) = Tracked();
        var ticks = emission.Emit(durable.Jobs["every-minute"], T0.AddMinutes(2), out _);
        emission.OnAck(Ack(ticks[0]), durable, T0.AddMinutes(2));

        Assert.Empty(emission.Resend(T0.AddMinutes(2).AddSeconds(2)));
        var again = emission.Resend(T0.AddMinutes(2).AddSeconds(3));

        Assert.Equal([T0.AddMinutes(2)], again.Select(t => t.ScheduledUtc));
        Assert.Empty(emission.Resend(T0.AddMinutes(2).AddSeconds(4))); // re-sent just now
    }

    [Fact]
    public void Busy_reports_are_checkpointed_and_a_removed_node_is_told_to_busy_jobs_only()
    {
        var (durable, emission) = Tracked("busy");
        durable = durable.Apply(new JobDefined(Definition("idle") with { Schedule = "@every 1m", TimeZone = "UTC" }, T0));
        emission.Track(durable.Jobs["idle"]);

        Assert.True(emission.Report(durable, "busy", busy: true, seq: 5));
        Assert.False(emission.Report(durable, "busy", busy: false, seq: 4)); // older than what was seen
        Assert.Equal([new NodeRemoved("busy", "node-2")], emission.OnNodeRemoved(durable, "node-2"));

        var checkpoint = Assert.IsType<WatermarksAdvanced>(emission.Checkpoint(durable));
        Assert.Equal(["busy"], checkpoint.Busy!);
        durable = durable.Apply(checkpoint);
        Assert.Equal(["busy"], durable.Busy);

        Assert.True(emission.Report(durable, "busy", busy: false, seq: 6));
        Assert.Empty(emission.OnNodeRemoved(durable, "node-2"));
        Assert.Equal(["busy"], Assert.IsType<WatermarksAdvanced>(emission.Checkpoint(durable)).Idle!);
    }

    [Fact]
    public void A_job_due_soon_whose_actor_has_probably_passivated_is_woken_once_per_due_time()
    {
        var (_, emission) = Tracked();

        var early = emission.CheckDue(T0.AddSeconds(30)); // due in 30 s: beyond the 20 s warm-up lead
        Assert.Empty(early.Emit);
        Assert.Empty(early.Wake);
        var due = emission.CheckDue(T0.AddSeconds(45));

        Assert.Equal(["every-minute"], due.Wake);
        Assert.Empty(due.Emit);
        Assert.Empty(emission.CheckDue(T0.AddSeconds(50)).Wake);
        Assert.Equal(["every-minute"], emission.CheckDue(T0.AddMinutes(1)).Emit);
    }

    [Fact]
    public void Forgotten_job_emits_and_re_sends_nothing()
    {
        var (durable, emission) = Tracked();
        emission.Emit(durable.Jobs["every-minute"], T0.AddMinutes(1), out _);

        emission.Forget("every-minute");

        Assert.Empty(emission.Emit(durable.Jobs["every-minute"], T0.AddMinutes(5), out _));
        Assert.Empty(emission.Resend(T0.AddMinutes(5)));
        Assert.Null(emission.ScheduleOf("every-minute"));
    }
}
