using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Schedules;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

public sealed class DuePlannerTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(5);
    private static readonly DateTimeOffset Covered = T0.AddHours(-1);

    private static JobDefinition Def(string schedule = "@every 1m", MisfirePolicy misfire = MisfirePolicy.FireOnce, int maxCatchUp = 100) =>
        new() { Id = "planned", Schedule = schedule, Handler = "noop", Misfire = misfire, MaxCatchUp = maxCatchUp };

    private static ScheduledJob Job(JobDefinition d, bool paused = false, DateTimeOffset? skipThrough = null) =>
        new(d, T0.AddDays(-10), T0.AddDays(-10), Covered, paused, paused ? "maintenance" : null, paused ? T0 : null, skipThrough);

    private static Schedule Parse(JobDefinition d) => ScheduleParser.Parse(d.Schedule, TimeZoneInfo.Utc);

    private static DuePlan Plan(JobDefinition d, DateTimeOffset lastEmitted, DateTimeOffset now, ScheduledJob? job = null) =>
        DuePlanner.Plan(job ?? Job(d), Parse(d), lastEmitted, now, Covered, Threshold);

    private static DateTimeOffset M(int minutes) => T0.AddMinutes(minutes);

    private static int Covers(Tick t) => t.SkipReason is null ? 1 : t.SkippedCount;

    [Fact]
    public void Due_time_within_the_threshold_is_a_scheduled_tick()
    {
        var d = Def();
        var plan = Plan(d, M(-1), T0.AddSeconds(1));

        var tick = Assert.Single(plan.Ticks);
        Assert.Equal(T0, tick.ScheduledUtc);
        Assert.Equal(TriggerKind.Scheduled, tick.Trigger);
        Assert.Null(tick.SkipReason);
        Assert.Equal(Covered, tick.CoveredUtc);
        Assert.Equal(d, tick.Definition);
        Assert.Equal(T0, plan.LastEmittedUtc);
        Assert.False(plan.More);
    }

    [Fact]
    public void Nothing_due_keeps_the_last_emitted_time()
    {
        var plan = Plan(Def(), T0, T0.AddSeconds(59));

        Assert.Empty(plan.Ticks);
        Assert.Equal(T0, plan.LastEmittedUtc);
        Assert.False(plan.More);

        // A second later the next time is due, and emitted.
        var due = Plan(Def(), T0, T0.AddSeconds(60));
        Assert.Equal(M(1), Assert.Single(due.Ticks).ScheduledUtc);
        Assert.Equal(M(1), due.LastEmittedUtc);
    }

    [Fact]
    public void Times_at_or_before_last_emitted_are_not_planned_again()
    {
        var plan = Plan(Def(), T0, T0.AddSeconds(1));

        Assert.Empty(plan.Ticks);
    }

    [Fact]
    public void Paused_job_plans_nothing_and_does_not_advance()
    {
        var d = Def();
        var plan = Plan(d, T0, M(120), Job(d, paused: true));

        Assert.Empty(plan.Ticks);
        Assert.Equal(T0, plan.LastEmittedUtc);
        Assert.False(plan.More);
    }

    [Fact]
    public void After_resume_times_up_to_the_resume_are_skipped_as_paused()
    {
        var d = Def();
        var job = Job(d, skipThrough: M(10).AddSeconds(30));
        var plan = Plan(d, T0, M(12).AddSeconds(1), job);

        var paused = plan.Ticks.Where(t => t.SkipReason == "paused").ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(M), paused.Select(t => t.ScheduledUtc));
        Assert.All(paused, t => Assert.Equal(1, t.SkippedCount));
        // Fire-once: 11 (late) and 12 (just due) form one backlog, run once at the latest time.
        var run = Assert.Single(plan.Ticks, t => t.SkipReason is null);
        Assert.Equal(M(12), run.ScheduledUtc);
        Assert.Equal(TriggerKind.CatchUp, run.Trigger);
        Assert.Equal(M(11), Assert.Single(plan.Ticks, t => t.SkipReason == "misfire").ScheduledUtc);
        Assert.Equal(M(12), plan.LastEmittedUtc);
    }

    [Fact]
    public void Fire_once_runs_only_the_latest_late_time_and_skips_the_others_as_misfire()
    {
        var d = Def(misfire: MisfirePolicy.FireOnce);
        var plan = Plan(d, T0, M(10).AddSeconds(30));

        var run = Assert.Single(plan.Ticks, t => t.SkipReason is null);
        Assert.Equal(M(10), run.ScheduledUtc);
        Assert.Equal(TriggerKind.CatchUp, run.Trigger);
        var skips = plan.Ticks.Where(t => t.SkipReason is not null).ToList();
        Assert.Equal(Enumerable.Range(1, 9).Select(M), skips.Select(t => t.ScheduledUtc));
        Assert.All(skips, t => Assert.Equal("misfire", t.SkipReason));
        Assert.Equal(M(10), plan.LastEmittedUtc);
    }

    [Fact]
    public void Fire_once_with_an_on_time_tick_runs_once_for_the_whole_backlog_at_the_latest_time()
    {
        var d = Def(misfire: MisfirePolicy.FireOnce);
        var plan = Plan(d, T0, M(10).AddSeconds(2));

        var runs = plan.Ticks.Where(t => t.SkipReason is null).ToList();
        Assert.Equal([(M(10), TriggerKind.CatchUp)], runs.Select(t => (t.ScheduledUtc, t.Trigger)));
        Assert.Equal(9, plan.Ticks.Count(t => t.SkipReason == "misfire"));
    }

    [Fact]
    public void Without_late_times_fire_once_leaves_on_time_ticks_alone()
    {
        var d = Def(misfire: MisfirePolicy.FireOnce);
        var plan = Plan(d, M(9), M(10).AddSeconds(2));

        Assert.Equal([(M(10), TriggerKind.Scheduled)], plan.Ticks.Select(t => (t.ScheduledUtc, t.Trigger)));
    }

    [Fact]
    public void Fire_all_runs_the_last_max_catch_up_times_and_skips_the_earlier_ones()
    {
        var d = Def(misfire: MisfirePolicy.FireAll, maxCatchUp: 3);
        var plan = Plan(d, T0, M(10).AddSeconds(30));

        var runs = plan.Ticks.Where(t => t.SkipReason is null).ToList();
        Assert.Equal([M(8), M(9), M(10)], runs.Select(t => t.ScheduledUtc));
        Assert.All(runs, t => Assert.Equal(TriggerKind.CatchUp, t.Trigger));
        var skips = plan.Ticks.Where(t => t.SkipReason is not null).ToList();
        Assert.Equal(Enumerable.Range(1, 7).Select(M), skips.Select(t => t.ScheduledUtc));
        Assert.All(skips, t => Assert.Equal("misfire: beyond max-catch-up", t.SkipReason));
    }

    [Fact]
    public void Fire_all_within_max_catch_up_runs_every_late_time()
    {
        var d = Def(misfire: MisfirePolicy.FireAll, maxCatchUp: 100);
        var plan = Plan(d, T0, M(10).AddSeconds(30));

        Assert.Equal(10, plan.Ticks.Count);
        Assert.All(plan.Ticks, t => Assert.Equal(TriggerKind.CatchUp, t.Trigger));
        Assert.All(plan.Ticks, t => Assert.Null(t.SkipReason));
    }

    [Fact]
    public void Skip_policy_skips_every_late_time_but_runs_the_on_time_one()
    {
        var d = Def(misfire: MisfirePolicy.Skip);
        var plan = Plan(d, T0, M(10).AddSeconds(2));

        var skips = plan.Ticks.Where(t => t.SkipReason is not null).ToList();
        Assert.Equal(Enumerable.Range(1, 9).Select(M), skips.Select(t => t.ScheduledUtc));
        Assert.All(skips, t => Assert.Equal("misfire", t.SkipReason));
        var run = Assert.Single(plan.Ticks, t => t.SkipReason is null);
        Assert.Equal((M(10), TriggerKind.Scheduled), (run.ScheduledUtc, run.Trigger));
    }

    [Fact]
    public void Skip_policy_with_only_late_times_runs_nothing()
    {
        var plan = Plan(Def(misfire: MisfirePolicy.Skip), T0, M(10).AddSeconds(30));

        Assert.All(plan.Ticks, t => Assert.Equal("misfire", t.SkipReason));
        Assert.Equal(10, plan.Ticks.Sum(Covers));
    }

    [Fact]
    public void Up_to_the_individual_limit_each_skipped_time_gets_its_own_tick()
    {
        var n = DuePlanner.IndividualSkipLimit;
        var plan = Plan(Def(misfire: MisfirePolicy.FireOnce), T0, M(n + 1).AddSeconds(30));

        var skips = plan.Ticks.Where(t => t.SkipReason is not null).ToList();
        Assert.Equal(n, skips.Count);
        Assert.All(skips, t => { Assert.Equal(1, t.SkippedCount); Assert.Null(t.SkippedThroughUtc); });
    }

    [Fact]
    public void More_skipped_times_than_the_limit_become_one_range_tick()
    {
        var plan = Plan(Def(misfire: MisfirePolicy.FireOnce), T0, M(30).AddSeconds(30));

        Assert.Collection(plan.Ticks,
            t =>
            {
                Assert.Equal("misfire", t.SkipReason);
                Assert.Equal(M(1), t.ScheduledUtc);
                Assert.Equal(M(29), t.SkippedThroughUtc);
                Assert.Equal(29, t.SkippedCount);
            },
            t => Assert.Equal((M(30), TriggerKind.CatchUp, (string?)null), (t.ScheduledUtc, t.Trigger, t.SkipReason)));
    }

    [Fact]
    public void Paused_and_misfired_ranges_are_recorded_separately()
    {
        var d = Def(misfire: MisfirePolicy.FireOnce);
        var plan = Plan(d, T0, M(60).AddSeconds(30), Job(d, skipThrough: M(25)));

        var paused = Assert.Single(plan.Ticks, t => t.SkipReason == "paused");
        Assert.Equal((M(1), M(25), 25), (paused.ScheduledUtc, paused.SkippedThroughUtc!.Value, paused.SkippedCount));
        var misfire = Assert.Single(plan.Ticks, t => t.SkipReason == "misfire");
        Assert.Equal((M(26), M(59), 34), (misfire.ScheduledUtc, misfire.SkippedThroughUtc!.Value, misfire.SkippedCount));
        Assert.Equal(M(60), Assert.Single(plan.Ticks, t => t.SkipReason is null).ScheduledUtc);
    }

    [Fact]
    public void Cron_schedule_misfire_is_planned_in_fire_times_of_the_zone()
    {
        var d = Def("0 2 * * *", MisfirePolicy.FireOnce) with { TimeZone = "Europe/Berlin" };
        var schedule = ScheduleParser.Parse(d.Schedule, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        // 2026-03-29 is the spring-forward day in Berlin: 02:00 local does not exist that night.
        var plan = DuePlanner.Plan(Job(d), schedule, U("2026-03-27T12:00:00Z"), U("2026-03-31T12:00:00Z"), Covered, Threshold);

        var expected = schedule.Between(U("2026-03-27T12:00:00Z"), U("2026-03-31T12:00:00Z"), 100);
        Assert.Equal(expected, plan.Ticks.Select(t => t.ScheduledUtc));
        Assert.Equal(TriggerKind.CatchUp, plan.Ticks[^1].Trigger);
        Assert.All(plan.Ticks.SkipLast(1), t => Assert.Equal("misfire", t.SkipReason));
    }

    // ------------------------------------------------------------------ long backlogs

    private static (List<Tick> Ticks, int Rounds) PlanUntilDone(JobDefinition d, ScheduledJob job, DateTimeOffset from, DateTimeOffset now)
    {
        var schedule = Parse(d);
        var all = new List<Tick>();
        var last = from;
        var rounds = 0;
        while (true)
        {
            var plan = DuePlanner.Plan(job, schedule, last, now, Covered, Threshold);
            rounds++;
            Assert.True(rounds < 1_000, "planning does not terminate");
            Assert.True(plan.LastEmittedUtc > last || (plan.Ticks.Count == 0 && !plan.More), "planning made no progress");
            all.AddRange(plan.Ticks);
            last = plan.LastEmittedUtc;
            if (!plan.More) break;
            Assert.NotEmpty(plan.Ticks);
        }
        Assert.Equal(now, last);
        return (all, rounds);
    }

    private static void AssertContiguousCover(Schedule schedule, DateTimeOffset from, DateTimeOffset now, IReadOnlyList<Tick> ticks)
    {
        Assert.Equal(schedule.CountBetween(from, now, int.MaxValue), ticks.Sum(Covers));
        var previous = from;
        foreach (var t in ticks.OrderBy(t => t.ScheduledUtc))
        {
            var end = t.SkippedThroughUtc ?? t.ScheduledUtc;
            Assert.Equal(schedule.NextAfter(previous), t.ScheduledUtc); // no gap, no overlap
            Assert.Equal(Covers(t), schedule.CountBetween(t.ScheduledUtc.AddTicks(-1), end, int.MaxValue));
            previous = end;
        }
    }

    [Fact]
    public void Huge_backlog_first_plan_is_one_range_skip_of_a_chunk_with_more_to_come()
    {
        var d = Def("@every 1s", MisfirePolicy.FireOnce);
        var plan = Plan(d, T0, T0.AddDays(2));

        Assert.True(plan.More);
        var tick = Assert.Single(plan.Ticks);
        Assert.Equal("misfire", tick.SkipReason);
        Assert.Equal(DuePlanner.ChunkSize, tick.SkippedCount);
        Assert.Equal(T0.AddSeconds(1), tick.ScheduledUtc);
        Assert.Equal(T0.AddSeconds(DuePlanner.ChunkSize), tick.SkippedThroughUtc);
        Assert.Equal(T0.AddSeconds(DuePlanner.ChunkSize), plan.LastEmittedUtc);
    }

    [Fact]
    public void Huge_backlog_with_fire_once_terminates_covers_every_time_and_catches_up_once()
    {
        var d = Def("@every 1s", MisfirePolicy.FireOnce);
        var now = T0.AddDays(2);

        var (ticks, rounds) = PlanUntilDone(d, Job(d), T0, now);

        Assert.InRange(rounds, 2 * 86_400 / DuePlanner.ChunkSize, 2 * 86_400 / DuePlanner.ChunkSize + 2);
        AssertContiguousCover(Parse(d), T0, now, ticks);
        Assert.Equal(172_800, ticks.Sum(Covers));
        var catchUp = Assert.Single(ticks, t => t.SkipReason is null);
        Assert.Equal(now, catchUp.ScheduledUtc);
        Assert.Equal(TriggerKind.CatchUp, catchUp.Trigger);
        Assert.All(ticks.Where(t => t.SkipReason is not null), t => Assert.Equal("misfire", t.SkipReason));
        Assert.True(ticks.Count < 500, $"{ticks.Count} ticks: the backlog should be summarised in ranges");
    }

    [Fact]
    public void Huge_backlog_with_fire_all_runs_exactly_max_catch_up_late_times_at_the_end()
    {
        var d = Def("@every 1s", MisfirePolicy.FireAll, maxCatchUp: 100);
        var now = T0.AddDays(2);

        var (ticks, _) = PlanUntilDone(d, Job(d), T0, now);

        AssertContiguousCover(Parse(d), T0, now, ticks);
        var catchUps = ticks.Where(t => t.Trigger == TriggerKind.CatchUp).Select(t => t.ScheduledUtc).ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => now.AddSeconds(-105 + i)), catchUps);
        Assert.Equal(6, ticks.Count(t => t.SkipReason is null && t.Trigger == TriggerKind.Scheduled));
        // Whether a skipped time fell in an early chunk or in the last plan must not change its recorded reason.
        Assert.All(ticks.Where(t => t.SkipReason is not null), t => Assert.Equal("misfire: beyond max-catch-up", t.SkipReason));
    }

    [Fact]
    public void Huge_backlog_after_resume_is_split_into_paused_and_misfire_skips()
    {
        var d = Def("@every 1s", MisfirePolicy.Skip);
        var now = T0.AddDays(2);
        var resumedAt = T0.AddDays(1).AddMilliseconds(500);

        var (ticks, _) = PlanUntilDone(d, Job(d, skipThrough: resumedAt), T0, now);

        AssertContiguousCover(Parse(d), T0, now, ticks);
        Assert.Equal(86_400, ticks.Where(t => t.SkipReason == "paused").Sum(Covers));
        Assert.All(ticks.Where(t => t.SkipReason == "paused"), t => Assert.True((t.SkippedThroughUtc ?? t.ScheduledUtc) <= resumedAt));
        Assert.Equal(86_400 - 6, ticks.Where(t => t.SkipReason == "misfire").Sum(Covers));
        Assert.Equal(6, ticks.Count(t => t.SkipReason is null));
    }
}
