using System.Collections.Immutable;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Domain.Schedules;
using Akka.Jobs.Tests.Infrastructure;
using CsCheck;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

/// <summary>What operators ask of runs and pauses, decided in the Domain: cancel, attempts shown, pause notes, run ids, durations.</summary>
public sealed class OperatorDecisionTests
{
    private static JobState Apply(JobState s, IEnumerable<IJobEvent> events) => events.Aggregate(s, (acc, e) => acc.Apply(e));

    private static JobState Running(JobDefinition d, DateTimeOffset at, TriggerKind trigger = TriggerKind.Scheduled, string? cause = null) =>
        Apply(JobState.Empty(d.Id), JobState.Empty(d.Id).DecideTick(Tick(d, at, trigger) with { Cause = cause }, at.AddMilliseconds(10)));

    [Fact]
    public void Cancel_ends_a_running_run_naming_who_and_starts_the_one_queued_behind_it()
    {
        var d = Definition("single", OverlapPolicy.BufferOne);
        var s = Running(d, T0);
        s = Apply(s, s.DecideTick(Tick(d, T0.AddMinutes(1)), T0.AddMinutes(1)));
        var first = RunIds.For(d.Id, T0);
        var queued = RunIds.For(d.Id, T0.AddMinutes(1));
        Assert.True(s.Active[queued].Queued);

        var (events, refused) = s.DecideCancelRun(first, "ops", T0.AddMinutes(2));
        Assert.Null(refused);
        var finished = Assert.IsType<RunFinished>(events[0]);
        Assert.Equal((RunStatus.Cancelled, "cancelled by ops"), (finished.Status, finished.Reason));
        Assert.Equal(queued, Assert.IsType<RunStarted>(events[1]).RunId);
        s = Apply(s, events);
        Assert.Equal("cancelled by ops", s.FindRun(first)!.Reason);

        // An ended run cannot be cancelled again; a run this job never had is unknown.
        Assert.Equal(RejectionKind.Conflict, s.DecideCancelRun(first, "ops", T0.AddMinutes(3)).Refused);
        Assert.Equal(RejectionKind.NotFound, s.DecideCancelRun(RunIds.For(d.Id, T0.AddDays(1)), "ops", T0.AddMinutes(3)).Refused);
        Assert.Empty(s.DecideCancelRun(first, "ops", T0.AddMinutes(3)).Events);
    }

    [Fact]
    public void Cancelling_a_queued_run_leaves_the_running_one_alone()
    {
        var d = Definition("single", OverlapPolicy.BufferOne);
        var s = Running(d, T0);
        s = Apply(s, s.DecideTick(Tick(d, T0.AddMinutes(1)), T0.AddMinutes(1)));
        var (events, _) = s.DecideCancelRun(RunIds.For(d.Id, T0.AddMinutes(1)), "ops", T0.AddMinutes(2));
        Assert.Single(events);
        s = Apply(s, events);
        Assert.Equal(RunStatus.Running, s.FindRun(RunIds.For(d.Id, T0))!.Status);
    }

    [Fact]
    public void A_run_shows_its_failed_attempts_then_the_one_that_ended_it()
    {
        var d = Definition("single") with { Retry = new RetryPolicy { MaxAttempts = 3 } };
        var s = Running(d, T0, TriggerKind.Manual, "rerun of single@x by ops");
        var runId = RunIds.For(d.Id, T0);
        var item = s.Active[runId].Items.Keys.Single();
        for (var attempt = 1; attempt <= 2; attempt++)
            s = Apply(s, s.DecideFailed(new WorkFailed(d.Id, runId, item, attempt, "node-1", T0.AddSeconds(attempt), T0.AddSeconds(attempt + 1),
                "exit-code", $"exit code {attempt}", true), attempt, T0.AddSeconds(attempt + 1), new Random(1)));
        s = Apply(s, s.DecideSucceeded(new WorkSucceeded(d.Id, runId, item, 3, "node-2", T0.AddSeconds(10), T0.AddSeconds(11), "ok")));

        var run = s.FindRun(runId)!;
        Assert.Equal(("rerun of single@x by ops", RunStatus.Succeeded), (run.Cause, run.Status));
        var attempts = JobState.AttemptsOf(run);
        Assert.Equal([(1, "failed", "node-1"), (2, "failed", "node-1"), (3, "succeeded", "node-2")], attempts.Select(a => (a.Attempt, a.Outcome, a.Node)));
        Assert.Equal("exit code 2", attempts[1].Error);
        Assert.All(attempts, a => Assert.Equal(item, a.ItemKey));
    }

    [Fact]
    public void A_run_keeps_only_its_last_10_failed_attempts_with_their_errors_shortened()
    {
        var run = new RunState("r", T0, TriggerKind.Scheduled, T0, T0, ImmutableDictionary<string, ItemState>.Empty);
        for (var i = 1; i <= 25; i++)
            run = run.WithFailedAttempt(new AttemptFailed("j", "r", "k", i, "n", T0, T0, i % 2 == 0 ? JobState.LostKind : "boom", new string('x', 5000), true));
        Assert.Equal(Enumerable.Range(16, 10), run.FailedAttempts.Select(a => a.Attempt));
        Assert.All(run.FailedAttempts, a => Assert.Equal(RunState.AttemptErrorKept + 1, a.Error!.Length));
        Assert.Equal("failed", run.FailedAttempts[^1].Outcome);
        Assert.Equal("lost", run.FailedAttempts[^2].Outcome);
    }

    [Fact]
    public void A_pause_is_decided_once_for_every_edge_note_end_and_who_checked()
    {
        var s = SchedulerState.Empty.Apply(new JobDefined(Definition("p"), T0));
        var now = T0.AddHours(1);
        var first = s.DecidePause(new PauseJob("p", " deploy ", now.AddHours(2), "ops"), now);
        Assert.Equal(new JobPaused("p", "deploy (paused by ops)", now, now.AddHours(2), "deploy", "ops"), first.Paused);
        s = s.Apply(first.Paused!);
        Assert.Equal(new PauseDecision(null, null), s.DecidePause(new PauseJob("p", "deploy", now.AddHours(2), "someone else"), now)); // nothing changes
        Assert.Equal("paused by operator", s.DecidePause(new PauseJob("p"), now).Paused!.Reason);

        Assert.Equal(RejectionKind.NotFound, s.DecidePause(new PauseJob("nope"), now).Refused!.Kind);
        foreach (var (bad, field) in new[]
                 {
                     (new PauseJob("p", new string('n', 501)), "note"), (new PauseJob("p", "two\nlines"), "note"),
                     (new PauseJob("p", UntilUtc: now), "until"), (new PauseJob("p", By: "x\u0007"), "by"), (new PauseJob("p", By: new string('b', 301)), "by"),
                 })
        {
            var refused = s.DecidePause(bad, now).Refused!;
            Assert.Equal((RejectionKind.Invalid, field), (refused.Kind, refused.Errors[0].Field));
        }
        Assert.Equal("rerun of p@x by ops", OperatorDecisions.ManualCause("ops", "p@x"));
        Assert.Equal("triggered by ops", OperatorDecisions.ManualCause("ops", null));
        Assert.Null(OperatorDecisions.ManualCause(null, null));
        var running = Running(Definition("c"), T0);
        Assert.Equal(RejectionKind.Invalid, running.DecideCancelRun(RunIds.For("c", T0), "a\nb", T0).Refused);
    }

    [Fact]
    public void The_pause_state_carries_its_note_to_the_times_skipped_during_it_also_after_the_resume()
    {
        var d = Definition("p");
        var s = SchedulerState.Empty.Apply(new JobDefined(d, T0));
        Assert.Equal("paused", s.Jobs["p"].PausedSkipReason);
        s = s.Apply(new JobPaused("p", "deploy (paused by ops)", T0.AddHours(1), T0.AddHours(3), "deploy", "ops"));
        Assert.Equal(("paused: deploy", T0.AddHours(3)), (s.Jobs["p"].PausedSkipReason, s.Jobs["p"].PausedUntilUtc));
        // Changing the note keeps when the pause began.
        s = s.Apply(new JobPaused("p", "deploy 2 (paused by ops)", T0.AddHours(2), null, "deploy 2", "ops"));
        Assert.Equal((T0.AddHours(1), (DateTimeOffset?)null), (s.Jobs["p"].PausedSinceUtc!.Value, s.Jobs["p"].PausedUntilUtc));
        s = s.Apply(new JobResumed("p", T0.AddHours(4), "ops"));
        Assert.False(s.Jobs["p"].Paused);
        Assert.Equal("paused: deploy 2", s.Jobs["p"].PausedSkipReason);
        // An automatic pause has no note.
        s = s.Apply(new JobPaused("p", "paused after 3 consecutive failures", T0.AddHours(5)));
        Assert.Equal("paused", s.Jobs["p"].PausedSkipReason);
    }

    [Fact]
    public void A_jobs_failure_streak_is_shown_from_the_newest_report_and_checkpointed_only_when_it_changes()
    {
        var durable = SchedulerState.Empty.Apply(new JobDefined(Definition("f"), T0));
        var emission = new EmissionState(new EmissionTiming(TimeSpan.FromSeconds(5), TimeSpan.Zero, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20),
            TimeSpan.FromMinutes(2)));
        emission.ReportFailures(durable, "f", 2, seq: 10);
        emission.ReportFailures(durable, "f", 1, seq: 9); // an older report arriving late changes nothing
        emission.ReportFailures(durable, "gone", 5, seq: 1); // nor does one for a job that does not exist
        Assert.Equal(2, emission.FailuresOf(durable, "f"));
        var checkpoint = emission.Checkpoint(durable)!;
        Assert.Equal(new Dictionary<string, int> { ["f"] = 2 }, checkpoint.Failures);
        durable = durable.Apply(checkpoint);
        Assert.Equal(2, durable.Failures["f"]);
        emission.ReportFailures(durable, "f", 2, seq: 11);
        Assert.Null(emission.Checkpoint(durable)); // unchanged: nothing to store
        emission.ReportFailures(durable, "f", 0, seq: 12);
        durable = durable.Apply(emission.Checkpoint(durable)!);
        Assert.False(durable.Failures.ContainsKey("f"));
        durable = durable.Apply(new WatermarksAdvanced(new Dictionary<string, DateTimeOffset>(), Failures: new Dictionary<string, int> { ["f"] = 4 }))
            .Apply(new JobUndefined("f", T0.AddHours(1)));
        Assert.Empty(durable.Failures);
    }

    [Fact]
    public void A_job_that_is_never_idle_reports_its_failure_streak_with_its_tick_acknowledgements_and_a_re_created_id_starts_at_0()
    {
        var d = Definition("busy");
        var durable = SchedulerState.Empty.Apply(new JobDefined(d, T0));
        var emission = new EmissionState(new EmissionTiming(TimeSpan.FromSeconds(5), TimeSpan.Zero, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20),
            TimeSpan.FromMinutes(2)));
        emission.Track(durable.Jobs["busy"], reset: true);
        emission.OnAck(new TickAck("busy", T0, RunIds.For("busy", T0), false, Busy: true, Seq: 7, Failures: 3), durable, T0);
        Assert.Equal(3, emission.FailuresOf(durable, "busy"));
        emission.Forget("busy");
        Assert.Equal(0, emission.FailuresOf(durable, "busy"));
    }

    [Theory]
    [InlineData("nightly@20260301T020000.000Z", "nightly")]
    [InlineData("nightly~3@20260301T020000.000Z", "nightly")]
    [InlineData("a.b-c_d@x", "a.b-c_d")]
    [InlineData("nightly", null)]
    [InlineData("@20260301T020000.000Z", null)]
    [InlineData("~2@x", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void A_run_id_names_its_job(string? runId, string? jobId) => Assert.Equal(jobId, RunIds.JobIdOf(runId));

    [Fact]
    public void Run_ids_of_every_incarnation_name_their_job() =>
        Gen.Select(Gen.String["abcdefghijklmnopqrstuvwxyz0123456789-_."], Gen.Int[1, 50], Gen.Long[0, 4_000_000_000_000])
            .Where((id, _, _) => JobDefinitionValidator.IsValidId(id))
            .Sample((id, n, ms) => RunIds.JobIdOf(RunIds.For(id, DateTimeOffset.FromUnixTimeMilliseconds(ms), n)) == id, iter: 2000);

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(1_000, "1s")]
    [InlineData(600_000, "10m")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(93_784_005, "1d2h3m4s5ms")]
    [InlineData(500, "500ms")]
    public void Durations_are_written_as_people_write_them(long ms, string text) =>
        Assert.Equal(text, DurationParser.Format(TimeSpan.FromMilliseconds(ms)));

    [Fact]
    public void Every_written_duration_reads_back_the_same() =>
        Gen.Long[0, TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond].Sample(ms =>
        {
            var span = TimeSpan.FromMilliseconds(ms);
            return DurationParser.TryParse(DurationParser.Format(span), out var back) && back == span;
        }, iter: 5000);
}
