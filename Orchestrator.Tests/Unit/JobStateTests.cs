using Akka.Jobs.Tests.Infrastructure;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Actors.Jobs;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

public sealed class JobStateTests
{
    private static readonly DateTimeOffset Now = T0.AddSeconds(1);

    private static JobDefinition Single(OverlapPolicy overlap = OverlapPolicy.Forbid, InterruptPolicy onInterrupt = InterruptPolicy.Resume) =>
        Definition("single", overlap) with { OnInterrupt = onInterrupt };

    /// <summary>Decides and applies, like the actor does after persisting.</summary>
    private static (JobState State, IReadOnlyList<IJobEvent> Events) Step(JobState s, IReadOnlyList<IJobEvent> events) =>
        (events.Aggregate(s, (acc, e) => acc.Apply(e)), events);

    private static (JobState State, IReadOnlyList<IJobEvent> Events) OnTick(JobState s, Tick t, DateTimeOffset? now = null) =>
        Step(s, s.DecideTick(t, now ?? t.ScheduledUtc.AddMilliseconds(10)));

    private static WorkSucceeded Ok(string runId, string item, int attempt = 1, DateTimeOffset? at = null) =>
        new("x", runId, item, attempt, "node-1", T0, at ?? T0.AddSeconds(5), "ok");

    /// <summary>A failed attempt; <paramref name="retryable"/> as its handler says (whether a retry follows is the state's decision).</summary>
    private static WorkFailed Fail(string runId, string item, int attempt, bool retryable, string kind = "http-5xx", DateTimeOffset? at = null) =>
        new("x", runId, item, attempt, "node-1", T0, at ?? T0.AddSeconds(5), kind, $"boom {attempt}", retryable);

    private static JobState Running(JobDefinition d, DateTimeOffset at) => OnTick(JobState.Empty(d.Id), Tick(d, at)).State;

    // ------------------------------------------------------------------ ticks and dedupe

    [Fact]
    public void First_tick_adopts_the_definition_and_accepts_a_run()
    {
        var d = Single();
        var (s, events) = OnTick(JobState.Empty(d.Id), Tick(d, T0), Now);

        Assert.Collection(events,
            e => Assert.Equal(d, Assert.IsType<DefinitionAdopted>(e).Definition),
            e =>
            {
                var a = Assert.IsType<RunAccepted>(e);
                Assert.Equal("single@20260301T020000.000Z", a.RunId);
                Assert.Equal(T0, a.ScheduledUtc);
                Assert.Equal(Now, a.AcceptedUtc);
                Assert.False(a.Queued);
                Assert.Equal([JobParameters.SingleItemKey], a.Items);
            });
        var run = Assert.Single(s.Running);
        Assert.Equal(Now, run.StartedUtc);
        Assert.True(s.IsDecided(T0));
    }

    [Fact]
    public void Tick_with_an_equal_definition_adopts_nothing_new()
    {
        var d = Single(OverlapPolicy.Allow);
        var s = Running(d, T0);

        var events = s.DecideTick(Tick(d with { Tags = [.. d.Tags] }, T0.AddDays(1)), Now);

        Assert.DoesNotContain(events, e => e is DefinitionAdopted);
    }

    [Fact]
    public void Tick_with_a_changed_definition_adopts_it_before_deciding()
    {
        var d = Single();
        var s = Running(d, T0);
        var changed = d with { Overlap = OverlapPolicy.Allow };

        var (after, events) = OnTick(s, Tick(changed, T0.AddDays(1)));

        Assert.IsType<DefinitionAdopted>(events[0]);
        Assert.IsType<RunAccepted>(events[1]);
        Assert.Equal(OverlapPolicy.Allow, after.Definition!.Overlap);
        Assert.Equal(2, after.Running.Count());
    }

    [Fact]
    public void Duplicate_tick_for_decided_time_produces_no_events()
    {
        var d = Single();
        var s = Running(d, T0);

        Assert.Empty(s.DecideTick(Tick(d, T0), Now));
        Assert.Empty(s.DecideTick(Tick(d, T0, TriggerKind.CatchUp), Now));
    }

    [Fact]
    public void Duplicate_of_a_skipped_time_produces_no_events()
    {
        var d = Single();
        var (s, _) = OnTick(JobState.Empty(d.Id), Tick(d, T0, skip: "paused"));

        Assert.Empty(s.DecideTick(Tick(d, T0), Now));
    }

    [Fact]
    public void Tick_at_or_before_forgotten_point_produces_no_events()
    {
        var d = Single();
        var s = JobState.Empty(d.Id) with { ForgottenUpTo = T0 };

        Assert.Empty(s.DecideTick(Tick(d, T0), Now));
        Assert.Empty(s.DecideTick(Tick(d, T0.AddDays(-1)), Now));
        Assert.NotEmpty(s.DecideTick(Tick(d, T0.AddTicks(1)), Now));
    }

    [Fact]
    public void Late_tick_earlier_than_a_decided_one_is_still_accepted()
    {
        var d = Single(OverlapPolicy.Allow);
        var s = Running(d, T0.AddDays(1));

        var (after, events) = OnTick(s, Tick(d, T0), T0.AddDays(1).AddSeconds(1));

        var a = Assert.IsType<RunAccepted>(Assert.Single(events));
        Assert.Equal(T0, a.ScheduledUtc);
        Assert.True(after.IsDecided(T0));
        Assert.True(after.IsDecided(T0.AddDays(1)));
        Assert.Empty(after.DecideTick(Tick(d, T0), Now));
    }

    [Fact]
    public void Retired_job_ignores_ticks()
    {
        var d = Single();
        var (s, _) = Step(Running(d, T0), Running(d, T0).DecideRetire(null, Now));

        Assert.True(s.Retired);
        Assert.Empty(s.DecideTick(Tick(d, T0.AddDays(1)), Now));
        Assert.Empty(s.DecideRetire(null, Now));
    }

    // ------------------------------------------------------------------ skips

    [Fact]
    public void Skip_tick_records_its_reason_in_history()
    {
        var d = Single();
        var (s, events) = OnTick(JobState.Empty(d.Id), Tick(d, T0, skip: "paused"), Now);

        var skipped = Assert.IsType<RunSkipped>(events[^1]);
        Assert.Equal("paused", skipped.Reason);
        Assert.Equal(1, skipped.Count);
        Assert.Empty(s.Active);
        var view = Assert.Single(s.History);
        Assert.Equal(RunStatus.Skipped, view.Status);
        Assert.Equal("paused", view.Reason);
        Assert.Equal(T0, view.ScheduledUtc);
        Assert.Equal(Now, view.FinishedUtc);
        Assert.Null(view.StartedUtc);
        Assert.Equal(1, view.SkippedTimes);
        Assert.Equal(0, view.Attempts);
    }

    [Fact]
    public void Range_skip_records_count_and_end_of_range()
    {
        var d = Single();
        var through = T0.AddMinutes(39);
        var (s, events) = OnTick(JobState.Empty(d.Id), Tick(d, T0, skip: "misfire", through: through, count: 40), Now);

        var skipped = Assert.IsType<RunSkipped>(events[^1]);
        Assert.Equal(through, skipped.ThroughUtc);
        Assert.Equal(40, skipped.Count);
        var view = Assert.Single(s.History);
        Assert.Equal(40, view.SkippedTimes);
        Assert.StartsWith("misfire (40 times through 2026-03-01T02:39:00", view.Reason);
        Assert.True(s.IsDecided(T0));
    }

    [Fact]
    public void Range_skip_overlapping_a_decided_time_is_refused_and_its_recut_records_every_undecided_time_once()
    {
        // t0 was decided on its own; after a fail-over the new scheduler plans t0..t29 as one range skip.
        var d = Single();
        var (s, _) = OnTick(JobState.Empty(d.Id), Tick(d, T0, skip: "overlap"));
        var range = Tick(d, T0, skip: "misfire", through: T0.AddSeconds(29), count: 30);

        Assert.Empty(s.DecideTick(range, Now));
        var spans = s.DecidedWithin(T0, T0.AddSeconds(29));
        var schedule = Akka.Jobs.Domain.Schedules.ScheduleParser.Parse("@every 1s", TimeZoneInfo.Utc);
        var recut = Akka.Jobs.Domain.Scheduler.DuePlanner.Recut(range, schedule, spans);
        foreach (var tick in recut) (s, _) = OnTick(s, tick);

        Assert.Equal(29, recut.Sum(t => t.SkippedCount));
        Assert.DoesNotContain(recut, t => t.ScheduledUtc == T0);
        Assert.All(Enumerable.Range(0, 30), i => Assert.True(s.IsDecided(T0.AddSeconds(i))));
        Assert.Equal(30, s.History.Sum(h => h.SkippedTimes));
        // The same range again finds everything decided: nothing is left to re-cut.
        Assert.Empty(Akka.Jobs.Domain.Scheduler.DuePlanner.Recut(range, schedule, s.DecidedWithin(T0, T0.AddSeconds(29))));
    }

    [Fact]
    public void Range_skip_around_a_manual_trigger_instant_is_cut_there_and_every_time_is_recorded_once()
    {
        // A trigger while paused: its instant (.250) is decided but is no schedule time of @every 1s.
        var d = Single();
        var manual = T0.AddSeconds(7).AddMilliseconds(250);
        var (s, _) = OnTick(JobState.Empty(d.Id), Tick(d, manual, TriggerKind.Manual));
        var range = Tick(d, T0, skip: "paused", through: T0.AddSeconds(29), count: 30);
        var schedule = Akka.Jobs.Domain.Schedules.ScheduleParser.Parse("@every 1s", TimeZoneInfo.Utc);

        Assert.Empty(s.DecideTick(range, Now));
        var recut = Akka.Jobs.Domain.Scheduler.DuePlanner.Recut(range, schedule, s.DecidedWithin(T0, T0.AddSeconds(29)));
        foreach (var tick in recut) (s, _) = OnTick(s, tick);

        Assert.Equal(30, recut.Sum(t => t.SkippedCount));
        Assert.DoesNotContain(recut, t => t.ScheduledUtc <= manual && (t.SkippedThroughUtc ?? t.ScheduledUtc) >= manual);
        Assert.All(Enumerable.Range(0, 30), i => Assert.True(s.IsDecided(T0.AddSeconds(i))));
        Assert.Equal(30, s.History.Where(h => h.Status == RunStatus.Skipped).Sum(h => h.SkippedTimes));
    }

    [Fact]
    public void Recut_of_a_range_longer_than_a_chunk_records_all_its_times()
    {
        // The last plan's misfire range can stand for ChunkSize + max-catch-up times.
        var d = Single() with { Schedule = "@every 1s", TimeZone = "UTC" };
        var (s, _) = OnTick(JobState.Empty(d.Id), Tick(d, T0.AddSeconds(10), skip: "overlap"));
        var range = Tick(d, T0, skip: "misfire", through: T0.AddSeconds(1499), count: 1500);
        var schedule = Akka.Jobs.Domain.Schedules.ScheduleParser.Parse(d.Schedule, TimeZoneInfo.Utc);

        var recut = Akka.Jobs.Domain.Scheduler.DuePlanner.Recut(range, schedule, s.DecidedWithin(T0, T0.AddSeconds(1499)));

        Assert.Equal(1499, recut.Sum(t => t.SkippedCount));
        Assert.Equal(T0.AddSeconds(1499), recut[^1].SkippedThroughUtc ?? recut[^1].ScheduledUtc);
    }

    [Fact]
    public void A_recovered_job_that_allows_overlap_starts_its_queued_run_while_another_runs()
    {
        var d = Single(OverlapPolicy.BufferOne);
        var (s, _) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));
        // An older version adopted allow without starting the queued run.
        s = s.Apply(new DefinitionAdopted(d.Id, d with { Overlap = OverlapPolicy.Allow }));

        var events = s.DecideRecovery(T0.AddMinutes(2));

        Assert.Equal(RunIds.For(d.Id, T0.AddMinutes(1)), Assert.Single(events.OfType<RunStarted>()).RunId);
    }

    // ------------------------------------------------------------------ overlap

    [Fact]
    public void A_queued_run_starts_when_the_job_is_changed_to_allow_overlapping_runs()
    {
        var d = Single(OverlapPolicy.BufferOne);
        var (s, _) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));
        Assert.Single(s.Active.Values, r => r.Queued);
        var allow = d with { Overlap = OverlapPolicy.Allow };

        var (after, events) = OnTick(s, Tick(allow, T0.AddMinutes(2)));

        Assert.Equal(RunIds.For(d.Id, T0.AddMinutes(1)), Assert.Single(events.OfType<RunStarted>()).RunId);
        Assert.Equal(3, after.Running.Count());
        Assert.DoesNotContain(after.Active.Values, r => r.Queued);
        Assert.Single(s.DecideWake(allow, null, T0.AddMinutes(2)).OfType<RunStarted>());
    }

    [Fact]
    public void Replace_cancels_a_run_queued_under_an_earlier_buffer_one()
    {
        var d = Single(OverlapPolicy.BufferOne);
        var (s, _) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));

        var (after, events) = OnTick(s, Tick(d with { Overlap = OverlapPolicy.Replace }, T0.AddMinutes(2)));

        Assert.Equal(2, events.OfType<RunFinished>().Count(f => f.Status == RunStatus.Cancelled));
        Assert.Equal(RunIds.For(d.Id, T0.AddMinutes(2)), Assert.Single(after.Active.Values).RunId);
    }

    [Fact]
    public void Overlap_forbid_skips_with_reason_overlap()
    {
        var d = Single(OverlapPolicy.Forbid);
        var (s, events) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));

        var skip = Assert.IsType<RunSkipped>(Assert.Single(events));
        Assert.Equal("overlap", skip.Reason);
        Assert.Single(s.Running);
        Assert.Equal(RunStatus.Skipped, Assert.Single(s.History).Status);
        Assert.True(s.IsDecided(T0.AddMinutes(1)));
    }

    [Fact]
    public void Overlap_allow_runs_both()
    {
        var d = Single(OverlapPolicy.Allow);
        var (s, events) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));

        Assert.False(Assert.IsType<RunAccepted>(Assert.Single(events)).Queued);
        Assert.Equal(2, s.Running.Count());
    }

    [Fact]
    public void Overlap_replace_cancels_the_running_run_and_starts_the_new_one()
    {
        var d = Single(OverlapPolicy.Replace);
        var next = T0.AddMinutes(1);
        var (s, events) = OnTick(Running(d, T0), Tick(d, next), next);

        Assert.Collection(events,
            e =>
            {
                var f = Assert.IsType<RunFinished>(e);
                Assert.Equal(RunIds.For(d.Id, T0), f.RunId);
                Assert.Equal(RunStatus.Cancelled, f.Status);
                Assert.Equal($"replaced by {RunIds.For(d.Id, next)}", f.Reason);
            },
            e => Assert.Equal(RunIds.For(d.Id, next), Assert.IsType<RunAccepted>(e).RunId));
        Assert.Equal(RunIds.For(d.Id, next), Assert.Single(s.Running).RunId);
        Assert.Equal(RunStatus.Cancelled, Assert.Single(s.History).Status);
        Assert.Equal(0, s.ConsecutiveFailures);
    }

    [Fact]
    public void Overlap_buffer_one_queues_one_skips_the_next_and_starts_the_queued_when_the_running_finishes()
    {
        var d = Single(OverlapPolicy.BufferOne);
        var first = RunIds.For(d.Id, T0);
        var second = RunIds.For(d.Id, T0.AddMinutes(1));

        var (s, e1) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));
        Assert.True(Assert.IsType<RunAccepted>(Assert.Single(e1)).Queued);
        Assert.Single(s.Running);
        Assert.Equal(RunStatus.Queued, s.Runs(10, null)[0].Status);

        var (s2, e2) = OnTick(s, Tick(d, T0.AddMinutes(2)));
        Assert.Equal("overlap", Assert.IsType<RunSkipped>(Assert.Single(e2)).Reason);

        var done = T0.AddMinutes(3);
        var (s3, e3) = Step(s2, s2.DecideSucceeded(Ok(first, "main", at: done)));
        Assert.Collection(e3,
            e => Assert.IsType<ItemSucceeded>(e),
            e => Assert.Equal(RunStatus.Succeeded, Assert.IsType<RunFinished>(e).Status),
            e =>
            {
                var st = Assert.IsType<RunStarted>(e);
                Assert.Equal(second, st.RunId);
                Assert.Equal(done, st.StartedUtc);
            });
        var running = Assert.Single(s3.Running);
        Assert.Equal(second, running.RunId);
        Assert.Equal(done, running.StartedUtc);
        Assert.DoesNotContain(s3.Active.Values, r => r.Queued);
    }

    [Fact]
    public void Queued_run_starts_when_the_running_run_times_out()
    {
        var d = Single(OverlapPolicy.BufferOne);
        var (s, _) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));

        var events = s.DecideTimeout(RunIds.For(d.Id, T0), T0.AddMinutes(30));

        Assert.IsType<RunFinished>(events[0]);
        Assert.Equal(RunIds.For(d.Id, T0.AddMinutes(1)), Assert.IsType<RunStarted>(events[1]).RunId);
    }

    // ------------------------------------------------------------------ items, fan-out, retries

    [Fact]
    public void Fan_out_run_succeeds_when_every_item_succeeded()
    {
        var d = FanOut();
        var runId = RunIds.For(d.Id, T0);
        var s = Running(d, T0);
        Assert.Equal(["a", "b", "c"], s.Active[runId].Items.Keys.Order());

        var (s1, e1) = Step(s, s.DecideSucceeded(Ok(runId, "a")));
        Assert.IsType<ItemSucceeded>(Assert.Single(e1));
        var (s2, e2) = Step(s1, s1.DecideSucceeded(Ok(runId, "c")));
        Assert.Single(e2);
        var (s3, e3) = Step(s2, s2.DecideSucceeded(Ok(runId, "b", at: T0.AddMinutes(2))));

        var finished = Assert.IsType<RunFinished>(e3[^1]);
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(T0.AddMinutes(2), finished.FinishedUtc);
        Assert.Empty(s3.Active);
        var view = Assert.Single(s3.History);
        Assert.Equal(3, view.Items);
        Assert.Equal(1, view.Attempts);
    }

    [Fact]
    public void Fan_out_run_fails_when_any_item_failed_but_only_after_every_item_is_done()
    {
        var d = FanOut();
        var runId = RunIds.For(d.Id, T0);
        var s = Running(d, T0);

        var (s1, e1) = Step(s, s.DecideFailed(Fail(runId, "b", 5, retryable: false)));
        Assert.False(Assert.IsType<AttemptFailed>(Assert.Single(e1)).WillRetry);
        Assert.True(s1.Active[runId].Items["b"].Done);
        Assert.True(s1.Active[runId].Items["b"].Failed);

        var (s2, _) = Step(s1, s1.DecideSucceeded(Ok(runId, "a")));
        Assert.Single(s2.Active);
        var (s3, e3) = Step(s2, s2.DecideSucceeded(Ok(runId, "c")));

        var finished = Assert.IsType<RunFinished>(e3[^1]);
        Assert.Equal(RunStatus.Failed, finished.Status);
        Assert.Equal("item 'b' failed", finished.Reason);
        Assert.Equal("http-5xx: boom 5", finished.Error); // the error kind stays with the message
        var view = Assert.Single(s3.History);
        Assert.Equal(RunStatus.Failed, view.Status);
        Assert.Equal(5, view.Attempts);
        Assert.Equal(1, s3.ConsecutiveFailures);
    }

    [Fact]
    public void Several_failed_items_are_counted_in_the_reason()
    {
        var d = FanOut();
        var runId = RunIds.For(d.Id, T0);
        var s = Running(d, T0);
        (s, _) = Step(s, s.DecideFailed(Fail(runId, "a", 1, false)));
        (s, _) = Step(s, s.DecideFailed(Fail(runId, "b", 1, false)));
        var (_, events) = Step(s, s.DecideFailed(Fail(runId, "c", 1, false)));

        Assert.Equal("3 of 3 items failed", Assert.IsType<RunFinished>(events[^1]).Reason);
    }

    [Fact]
    public void Retryable_failure_keeps_the_item_open_and_tracks_the_attempt()
    {
        var d = Single();
        var runId = RunIds.For(d.Id, T0);
        var s = Running(d, T0);

        var (s1, e1) = Step(s, s.DecideFailed(Fail(runId, "main", 1, retryable: true)));
        Assert.True(Assert.IsType<AttemptFailed>(Assert.Single(e1)).WillRetry);
        var item = s1.Active[runId].Items["main"];
        Assert.False(item.Done);
        Assert.False(item.Failed);
        Assert.Equal(1, item.Attempt);
        Assert.Equal("http-5xx: boom 1", s1.Active[runId].LastError);

        var (s2, _) = Step(s1, s1.DecideFailed(Fail(runId, "main", 2, retryable: true)));
        Assert.Equal(2, s2.Active[runId].Items["main"].Attempt);
        Assert.Equal(2, s2.Runs(1, null)[0].Attempts);

        var (s3, e3) = Step(s2, s2.DecideSucceeded(Ok(runId, "main", attempt: 3)));
        Assert.Equal(RunStatus.Succeeded, Assert.IsType<RunFinished>(e3[^1]).Status);
        var view = Assert.Single(s3.History);
        Assert.Equal(3, view.Attempts);
        Assert.Null(view.Error);
    }

    [Fact]
    public void Outcome_for_an_unknown_run_or_finished_item_is_ignored()
    {
        var d = FanOut();
        var runId = RunIds.For(d.Id, T0);
        var s = Running(d, T0);
        (s, _) = Step(s, s.DecideSucceeded(Ok(runId, "a")));

        Assert.Empty(s.DecideSucceeded(Ok(runId, "a", attempt: 2)));
        Assert.Empty(s.DecideFailed(Fail(runId, "a", 2, false)));
        Assert.Empty(s.DecideSucceeded(Ok("fan-out@20990101T000000.000Z", "a")));
        Assert.Empty(s.DecideSucceeded(Ok(runId, "zzz")));
        Assert.Empty(s.DecideTimeout("nope", Now));
    }

    // ------------------------------------------------------------------ timeout, recovery, retire

    [Fact]
    public void Worker_reporting_the_run_deadline_finishes_the_run_timed_out_not_failed()
    {
        var d = Single();
        var s = Running(d, T0);
        var runId = RunIds.For(d.Id, T0);

        var events = s.DecideTimedOut(new WorkTimedOut("x", runId, JobParameters.SingleItemKey, 1, "node-1", T0, T0.AddMinutes(30)));

        var failed = Assert.IsType<AttemptFailed>(events[0]);
        Assert.Equal(JobState.RunDeadlineKind, failed.ErrorKind);
        Assert.False(failed.WillRetry);
        Assert.Equal(RunStatus.TimedOut, Assert.IsType<RunFinished>(events[^1]).Status);
    }

    [Fact]
    public void Timeout_finishes_the_run_timed_out_with_the_last_error()
    {
        var d = Single();
        var runId = RunIds.For(d.Id, T0);
        var s = Running(d, T0);
        (s, _) = Step(s, s.DecideFailed(Fail(runId, "main", 1, retryable: true, kind: "timeout")));

        var (after, events) = Step(s, s.DecideTimeout(runId, T0.AddMinutes(30)));

        var f = Assert.IsType<RunFinished>(Assert.Single(events));
        Assert.Equal(RunStatus.TimedOut, f.Status);
        Assert.Equal("exceeded timeout 00:30:00", f.Reason);
        Assert.Equal("timeout: boom 1", f.Error);
        Assert.Equal(RunStatus.TimedOut, Assert.Single(after.History).Status);
        Assert.Equal(1, after.ConsecutiveFailures);
    }

    [Fact]
    public void Timeout_of_a_queued_run_does_nothing()
    {
        var d = Single(OverlapPolicy.BufferOne);
        var (s, _) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));

        Assert.Empty(s.DecideTimeout(RunIds.For(d.Id, T0.AddMinutes(1)), Now));
    }

    [Fact]
    public void Recovery_with_resume_resumes_running_runs_and_counts_the_interrupted_attempt()
    {
        var d = FanOut() with { OnInterrupt = InterruptPolicy.Resume };
        var runId = RunIds.For(d.Id, T0);
        var s = Running(d, T0);
        (s, _) = Step(s, s.DecideSucceeded(Ok(runId, "a")));
        (s, _) = Step(s, s.DecideFailed(Fail(runId, "b", 2, retryable: true)));

        var (after, events) = Step(s, s.DecideRecovery(T0.AddMinutes(5)));

        var resumed = Assert.IsType<RunResumed>(Assert.Single(events));
        Assert.Equal(runId, resumed.RunId);
        var items = after.Active[runId].Items;
        Assert.Equal(1, items["a"].Attempt); // done: untouched
        Assert.Equal(3, items["b"].Attempt);
        Assert.Equal(1, items["c"].Attempt);
        Assert.Single(after.Running);
    }

    [Fact]
    public void Recovery_with_fail_interrupts_running_runs_and_starts_the_queued_one()
    {
        var d = Single(OverlapPolicy.BufferOne, InterruptPolicy.Fail);
        var (s, _) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));
        var at = T0.AddMinutes(5);

        var (after, events) = Step(s, s.DecideRecovery(at));

        Assert.Collection(events,
            e =>
            {
                var f = Assert.IsType<RunFinished>(e);
                Assert.Equal(RunStatus.Interrupted, f.Status);
                Assert.StartsWith("interrupted", f.Reason);
            },
            e => Assert.Equal(RunIds.For(d.Id, T0.AddMinutes(1)), Assert.IsType<RunStarted>(e).RunId));
        Assert.Equal(RunStatus.Interrupted, Assert.Single(after.History).Status);
        Assert.Equal(1, after.ConsecutiveFailures);
        Assert.Equal(at, Assert.Single(after.Running).StartedUtc);
    }

    [Fact]
    public void Recovery_with_nothing_in_flight_decides_nothing()
    {
        var d = Single();
        Assert.Empty(JobState.Empty(d.Id).DecideRecovery(Now));
        var (s, _) = OnTick(JobState.Empty(d.Id), Tick(d, T0, skip: "paused"));
        Assert.Empty(s.DecideRecovery(Now));
    }

    [Fact]
    public void Retire_cancels_running_and_queued_runs()
    {
        var d = Single(OverlapPolicy.BufferOne);
        var (s, _) = OnTick(Running(d, T0), Tick(d, T0.AddMinutes(1)));

        var (after, events) = Step(s, s.DecideRetire(null, T0.AddMinutes(2)));

        Assert.Equal(2, events.OfType<RunFinished>().Count(f => f.Status == RunStatus.Cancelled && f.Reason == "job removed"));
        Assert.IsType<JobRetired>(events[^1]);
        Assert.Empty(after.Active);
        Assert.True(after.Retired);
        Assert.All(after.History, h => Assert.Equal(RunStatus.Cancelled, h.Status));
    }

    [Fact]
    public void Cancelled_work_ends_the_run_cancelled()
    {
        var d = Single();
        var runId = RunIds.For(d.Id, T0);
        var s = Running(d, T0);

        var events = s.DecideCancelled(new WorkCancelled(d.Id, runId, "main", 1, "node-1", Now), "cancelled: node shutting down");

        var f = Assert.IsType<RunFinished>(Assert.Single(events));
        Assert.Equal(RunStatus.Cancelled, f.Status);
        Assert.Equal("cancelled: node shutting down", f.Reason);
    }

    // ------------------------------------------------------------------ counters and bounds

    [Fact]
    public void Consecutive_failures_count_failed_and_timed_out_runs_and_reset_on_success()
    {
        var d = Single(OverlapPolicy.Allow);
        var s = JobState.Empty(d.Id);
        var t = T0;

        JobState RunOnce(JobState st, Func<JobState, string, IReadOnlyList<IJobEvent>> outcome)
        {
            t = t.AddMinutes(1);
            st = OnTick(st, Tick(d, t)).State;
            return Step(st, outcome(st, RunIds.For(d.Id, t))).State;
        }

        s = RunOnce(s, (st, id) => st.DecideFailed(Fail(id, "main", 3, false)));
        Assert.Equal(1, s.ConsecutiveFailures);
        s = RunOnce(s, (st, id) => st.DecideTimeout(id, Now));
        Assert.Equal(2, s.ConsecutiveFailures);
        s = RunOnce(s, (st, id) => st.DecideCancelled(new WorkCancelled(d.Id, id, "main", 1, "n", Now), "cancelled"));
        Assert.Equal(2, s.ConsecutiveFailures);
        s = OnTick(s, Tick(d, T0.AddHours(1), skip: "overlap")).State;
        Assert.Equal(2, s.ConsecutiveFailures);
        s = RunOnce(s, (st, id) => st.DecideSucceeded(Ok(id, "main")));
        Assert.Equal(0, s.ConsecutiveFailures);
    }

    [Fact]
    public void History_is_capped_at_the_limit_keeping_the_newest()
    {
        var d = Single();
        var s = JobState.Empty(d.Id).Apply(new DefinitionAdopted(d.Id, d));
        var total = JobState.HistoryLimit + 25;
        for (var i = 0; i < total; i++)
            s = s.Apply(new RunSkipped(d.Id, RunIds.For(d.Id, T0.AddMinutes(i)), T0.AddMinutes(i), TriggerKind.Scheduled, "paused", Now));

        Assert.Equal(JobState.HistoryLimit, s.History.Count);
        Assert.Equal(T0.AddMinutes(25), s.History[0].ScheduledUtc);
        Assert.Equal(T0.AddMinutes(total - 1), s.History[^1].ScheduledUtc);
    }

    [Fact]
    public void Decided_window_is_capped_and_forgotten_point_moves_forward()
    {
        var d = Single();
        var s = JobState.Empty(d.Id);
        var total = JobState.DecidedWindow + 3;
        for (var i = 0; i < total; i++)
            s = s.Apply(new RunSkipped(d.Id, RunIds.For(d.Id, T0.AddSeconds(i)), T0.AddSeconds(i), TriggerKind.Scheduled, "misfire", Now));

        Assert.Equal(JobState.DecidedWindow, s.Decided.Count);
        Assert.Equal(T0.AddSeconds(2), s.ForgottenUpTo);
        Assert.Equal(T0.AddSeconds(3), s.Decided.Min);
        Assert.True(s.IsDecided(T0));
        Assert.True(s.IsDecided(T0.AddSeconds(1.5))); // never seen, but older than the window: dropped as decided
        Assert.Empty(s.DecideTick(Tick(d, T0.AddSeconds(2)), Now));
        Assert.NotEmpty(s.DecideTick(Tick(d, T0.AddSeconds(total)), Now));
    }

    [Fact]
    public void Runs_lists_newest_scheduled_first_and_filters_by_status()
    {
        var d = Single(OverlapPolicy.Allow);
        var s = JobState.Empty(d.Id);
        (s, _) = OnTick(s, Tick(d, T0.AddMinutes(3)));                      // running
        (s, _) = OnTick(s, Tick(d, T0.AddMinutes(1)));                      // late, succeeds
        (s, _) = Step(s, s.DecideSucceeded(Ok(RunIds.For(d.Id, T0.AddMinutes(1)), "main")));
        (s, _) = OnTick(s, Tick(d, T0.AddMinutes(2), skip: "paused"));      // skipped
        (s, _) = OnTick(s, Tick(d, T0));                                    // fails
        (s, _) = Step(s, s.DecideFailed(Fail(RunIds.For(d.Id, T0), "main", 1, false)));

        var all = s.Runs(10, null);
        Assert.Equal([T0.AddMinutes(3), T0.AddMinutes(2), T0.AddMinutes(1), T0], all.Select(r => r.ScheduledUtc));
        Assert.Equal([RunStatus.Running, RunStatus.Skipped, RunStatus.Succeeded, RunStatus.Failed], all.Select(r => r.Status));

        Assert.Equal([T0.AddMinutes(3), T0.AddMinutes(2)], s.Runs(2, null).Select(r => r.ScheduledUtc));
        Assert.Equal(T0, Assert.Single(s.Runs(10, RunStatus.Failed)).ScheduledUtc);
        Assert.Empty(s.Runs(10, RunStatus.TimedOut));
    }

    [Fact]
    public void Apply_ignores_events_for_unknown_runs()
    {
        var s = JobState.Empty("single");
        var runId = RunIds.For("single", T0);
        IJobEvent[] events =
        [
            new RunStarted("single", runId, T0),
            new ItemSucceeded("single", runId, "main", 1, "n", T0, T0, null),
            new AttemptFailed("single", runId, "main", 1, "n", T0, T0, "k", "e", false),
            new RunResumed("single", runId, T0),
            new RunFinished("single", runId, RunStatus.Failed, T0, null, null),
        ];

        var after = events.Aggregate(s, (acc, e) => acc.Apply(e));

        Assert.Empty(after.Active);
        Assert.Empty(after.History);
        Assert.Equal(0, after.ConsecutiveFailures);
    }

    [Fact]
    public void Long_output_and_errors_are_trimmed_to_their_tail()
    {
        var d = Single();
        var runId = RunIds.For(d.Id, T0);
        var s = Running(d, T0);
        var longText = new string('x', 5000) + "END";

        var ok = Assert.IsType<ItemSucceeded>(s.DecideSucceeded(Ok(runId, "main") with { Output = longText })[0]);
        var failed = Assert.IsType<AttemptFailed>(s.DecideFailed(Fail(runId, "main", 1, true) with { Error = longText })[0]);

        Assert.Equal(4096, ok.Output!.Length);
        Assert.EndsWith("END", ok.Output);
        Assert.Equal(4096, failed.Error.Length);
    }
}
