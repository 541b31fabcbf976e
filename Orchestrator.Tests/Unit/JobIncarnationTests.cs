using Akka.Jobs.Tests.Infrastructure;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Actors.Jobs;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

/// <summary>A job id deleted and created again: each incarnation schedules, runs and keeps history on its own.</summary>
public sealed class JobIncarnationTests
{
    private static readonly DateTimeOffset Created1 = T0.AddDays(-1);
    private static readonly DateTimeOffset Created2 = T0.AddHours(-1);

    private static JobDefinition Def() => Definition("re");

    private static Tick TickOf(DateTimeOffset created, DateTimeOffset at, TriggerKind trigger = TriggerKind.Scheduled) =>
        Tick(Def(), at, trigger) with { JobCreatedUtc = created };

    private static JobState Apply(JobState s, IReadOnlyList<IJobEvent> events) => events.Aggregate(s, (acc, e) => acc.Apply(e));

    private static JobState Decide(JobState s, Tick t) => Apply(s, s.DecideTick(t, t.ScheduledUtc.AddMilliseconds(10)));

    /// <summary>Incarnation 1 ran at T0 and was removed while its run at T0+1d was in flight.</summary>
    private static JobState RemovedFirstIncarnation()
    {
        var s = Decide(JobState.Empty("re"), TickOf(Created1, T0));
        s = Apply(s, s.DecideSucceeded(new WorkSucceeded("re", RunIds.For("re", T0), JobParameters.SingleItemKey, 1, "n", T0, T0.AddSeconds(1), "ok")));
        s = Decide(s, TickOf(Created1, T0.AddDays(1)));
        return Apply(s, s.DecideRetire(Created1, T0.AddDays(1).AddSeconds(5)));
    }

    [Fact]
    public void A_re_created_job_runs_again_under_new_run_ids_with_its_own_history()
    {
        var s = RemovedFirstIncarnation();
        Assert.True(s.Retired);

        var events = s.DecideTick(TickOf(Created2, T0.AddDays(1)), T0.AddDays(1).AddSeconds(10));
        var after = Apply(s, events);

        Assert.Equal(2, Assert.IsType<JobIncarnated>(events[0]).Incarnation);
        var accepted = Assert.IsType<RunAccepted>(events[^1]);
        Assert.Equal("re~2@20260302T020000.000Z", accepted.RunId);
        Assert.False(after.Retired);
        Assert.Equal(2, after.Incarnation);
        // The time incarnation 1 had decided (and cancelled) is the new incarnation's own time: it runs.
        Assert.Equal(accepted.RunId, Assert.Single(after.Runs(10, null)).RunId);
        Assert.Equal([RunStatus.Cancelled, RunStatus.Succeeded], after.Runs(10, null, incarnation: 1).Select(r => r.Status));
        Assert.All(after.Runs(10, null, incarnation: 1), r => Assert.Equal(1, r.Incarnation));
        Assert.Equal(2, after.Runs(10, null).Single().Incarnation);
    }

    [Fact]
    public void A_manual_trigger_of_a_re_created_job_is_accepted()
    {
        var s = RemovedFirstIncarnation();
        var at = T0.AddDays(2).AddMilliseconds(123);

        var after = Decide(s, TickOf(Created2, at, TriggerKind.Manual));

        var run = Assert.Single(after.Running);
        Assert.Equal(RunIds.For("re", at, 2), run.RunId);
        Assert.Equal(TriggerKind.Manual, run.Trigger);
    }

    [Fact]
    public void Ticks_of_a_removed_incarnation_are_stale_and_decide_nothing()
    {
        var s = RemovedFirstIncarnation();
        var live = Decide(s, TickOf(Created2, T0.AddDays(2)));

        Assert.True(s.IsStale(Created1));
        Assert.Empty(s.DecideTick(TickOf(Created1, T0.AddDays(3)), T0.AddDays(3)));
        Assert.True(live.IsStale(Created1));
        Assert.False(live.IsStale(Created2));
        Assert.Empty(live.DecideTick(TickOf(Created1, T0.AddDays(3)), T0.AddDays(3)));
        Assert.Empty(live.DecideRetire(Created1, T0.AddDays(3)));
        Assert.Empty(live.DecideWake(Def() with { Handler = "noop" }, Created1, T0.AddDays(3)));
    }

    [Fact]
    public void A_time_decided_before_the_removal_is_a_duplicate_not_a_refusal()
    {
        var s = RemovedFirstIncarnation();

        Assert.False(s.IsRefused(TickOf(Created1, T0.AddDays(1), TriggerKind.Manual)));
        Assert.Empty(s.DecideTick(TickOf(Created1, T0.AddDays(1), TriggerKind.Manual), T0.AddDays(2)));
        Assert.True(s.IsRefused(TickOf(Created1, T0.AddDays(1).AddSeconds(1), TriggerKind.Manual)));
    }

    [Fact]
    public void A_new_job_records_its_incarnation_on_its_first_definition_without_an_event_of_its_own()
    {
        var events = JobState.Empty("re").DecideTick(TickOf(Created1, T0), T0);

        Assert.Equal(Created1, Assert.IsType<DefinitionAdopted>(events[0]).JobCreatedUtc);
        Assert.IsType<RunAccepted>(events[1]);
        Assert.Equal(2, events.Count);
        Assert.Equal(Created1, Apply(JobState.Empty("re"), events).IncarnationCreatedUtc);
    }

    [Fact]
    public void A_trigger_re_sent_after_the_job_was_created_again_finds_the_run_of_the_earlier_incarnation()
    {
        var at = T0.AddHours(1).AddMilliseconds(7);
        var s = Decide(JobState.Empty("re"), TickOf(Created1, at, TriggerKind.Manual));
        s = Apply(s, s.DecideRetire(Created1, at.AddSeconds(1)));
        s = Decide(s, TickOf(Created2, T0.AddDays(1)));
        var resent = TickOf(Created1, at, TriggerKind.Manual);

        Assert.True(s.IsRefused(resent));
        Assert.Equal(RunIds.For("re", at), s.EarlierTriggerRecord(resent)?.RunId);
        Assert.Null(s.EarlierTriggerRecord(TickOf(Created1, at.AddMilliseconds(1), TriggerKind.Manual)));
    }

    [Fact]
    public void A_run_that_started_is_not_called_never_started_when_the_worker_clock_is_behind()
    {
        var s = Decide(JobState.Empty("re"), TickOf(Created1, T0, TriggerKind.Manual));
        var runId = RunIds.For("re", T0);

        var after = Apply(s, s.DecideFailed(new WorkFailed("re", runId, JobParameters.SingleItemKey, 1, "n", T0.AddSeconds(-3), T0.AddSeconds(-2),
            "boom", "failed", false)));

        var run = Assert.Single(after.Runs(10, null));
        Assert.NotNull(run.StartedUtc);
        Assert.DoesNotContain("never started", run.Reason ?? "");
    }

    [Fact]
    public void A_query_naming_a_newer_incarnation_lists_nothing_of_the_removed_one()
    {
        var s = RemovedFirstIncarnation();

        Assert.Equal(2, s.CurrentIncarnationFor(Created2));
        Assert.Empty(s.Runs(10, null, s.CurrentIncarnationFor(Created2)));
        Assert.Equal(1, s.CurrentIncarnationFor(Created1));
        Assert.Equal(2, s.Runs(10, null, s.CurrentIncarnationFor(null)).Count);
    }

    [Fact]
    public void A_newer_incarnation_ends_the_runs_of_an_old_one_whose_removal_never_arrived()
    {
        var s = Decide(JobState.Empty("re"), TickOf(Created1, T0));
        Assert.Single(s.Running);

        var events = s.DecideTick(TickOf(Created2, T0.AddMinutes(1)), T0.AddMinutes(1));

        var cancelled = Assert.IsType<RunFinished>(events[0]);
        Assert.Equal((RunStatus.Cancelled, "job removed"), (cancelled.Status, cancelled.Reason));
        Assert.IsType<JobIncarnated>(events[1]);
        var after = Apply(s, events);
        Assert.Equal(RunIds.For("re", T0.AddMinutes(1), 2), Assert.Single(after.Running).RunId);
        Assert.Equal(0, after.ConsecutiveFailures);
    }

    [Fact]
    public void Removal_of_an_incarnation_never_seen_here_is_recorded_so_its_late_ticks_are_dropped()
    {
        var s = Decide(JobState.Empty("re"), TickOf(Created1, T0));

        var after = Apply(s, s.DecideRetire(Created2, T0.AddMinutes(1)));

        Assert.True(after.Retired);
        Assert.Equal(2, after.Incarnation);
        Assert.Empty(after.Active);
        Assert.True(after.IsStale(Created2));
        Assert.False(after.IsStale(Created2.AddMinutes(5)));
    }

    [Fact]
    public void A_journal_from_before_incarnations_adopts_the_current_incarnation_without_a_reset()
    {
        var legacy = Decide(JobState.Empty("re"), Tick(Def(), T0)); // no JobCreatedUtc: an older scheduler
        Assert.Null(legacy.IncarnationCreatedUtc);

        var events = legacy.DecideTick(TickOf(Created1, T0.AddDays(1)), T0.AddDays(1));
        var after = Apply(legacy, events);

        Assert.Equal(new JobIncarnated("re", 1, Created1, T0.AddDays(1)), events[0]);
        Assert.Equal(1, after.Incarnation);
        Assert.Equal(Created1, after.IncarnationCreatedUtc);
        Assert.True(after.IsDecided(T0));
        // Still the first incarnation: run ids keep the format older versions wrote.
        Assert.Equal(RunIds.For("re", T0.AddDays(1)), after.Runs(10, null)[0].RunId);
        Assert.Equal("re@20260302T020000.000Z", after.Runs(10, null)[0].RunId);
    }

    [Fact]
    public void A_job_retired_by_an_older_version_comes_back_with_the_next_incarnation()
    {
        var legacy = Decide(JobState.Empty("re"), Tick(Def(), T0));
        legacy = Apply(legacy, legacy.DecideRetire(null, T0.AddMinutes(1)));

        var after = Decide(legacy, TickOf(Created2, T0.AddDays(1)));

        Assert.Equal(2, after.Incarnation);
        Assert.Equal(RunIds.For("re", T0.AddDays(1), 2), Assert.Single(after.Running).RunId);
    }

    [Fact]
    public void A_wake_up_of_a_newer_incarnation_starts_it_and_adopts_its_definition()
    {
        var s = RemovedFirstIncarnation();
        var changed = Def() with { Handler = "noop" };

        var after = Apply(s, s.DecideWake(changed, Created2, T0.AddDays(2)));

        Assert.Equal(2, after.Incarnation);
        Assert.False(after.Retired);
        Assert.Equal("noop", after.Definition!.Handler);
    }

    [Fact]
    public void A_run_prepared_ahead_and_cancelled_before_its_time_never_started()
    {
        var at = T0.AddDays(1);
        var s = Apply(JobState.Empty("re"), JobState.Empty("re").DecideTick(TickOf(Created1, at), at.AddMilliseconds(-500)));
        Assert.Equal(at, Assert.Single(s.Running).StartedUtc);

        var after = Apply(s, s.DecideRetire(Created1, at.AddMilliseconds(-100)));

        var run = Assert.Single(after.Runs(10, null));
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Null(run.StartedUtc);
        Assert.Equal(0, run.Attempts);
        Assert.Equal("job removed (never started)", run.Reason);
    }
}
