using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Xunit;
using static Akka.Jobs.Tests.Unit.Samples;

namespace Akka.Jobs.Tests.Unit;

public sealed class SchedulerStateTests
{
    private static readonly Dictionary<string, DateTimeOffset> NoMarks = [];

    private static SchedulerState Defined(string id = "job-a", DateTimeOffset? at = null) =>
        SchedulerState.Empty.Apply(new JobDefined(Definition(id), at ?? T0));

    private static WatermarksAdvanced Marks(params (string Id, DateTimeOffset At)[] marks) =>
        new(marks.ToDictionary(m => m.Id, m => m.At));

    [Fact]
    public void New_job_is_created_updated_and_covered_at_its_creation_time()
    {
        var job = Defined().Jobs["job-a"];

        Assert.Equal((T0, T0, T0), (job.CreatedUtc, job.UpdatedUtc, job.CoveredUtc));
        Assert.False(job.Paused);
        Assert.Null(job.SkipThroughUtc);
        Assert.True(Akka.Jobs.Domain.Jobs.JobState.SameDefinition(Definition("job-a"), job.Definition));
    }

    [Fact]
    public void Redefining_a_job_keeps_creation_coverage_and_pause_and_updates_the_definition()
    {
        var s = Defined()
            .Apply(Marks(("job-a", T0.AddHours(3))))
            .Apply(new JobPaused("job-a", "maintenance", T0.AddHours(4)));
        var changed = Definition("job-a") with { Schedule = "@every 5m", Description = "changed" };

        var job = s.Apply(new JobDefined(changed, T0.AddHours(5))).Jobs["job-a"];

        Assert.Equal(changed, job.Definition);
        Assert.Equal(T0, job.CreatedUtc);
        Assert.Equal(T0.AddHours(5), job.UpdatedUtc);
        Assert.Equal(T0.AddHours(3), job.CoveredUtc);
        Assert.True(job.Paused);
        Assert.Equal("maintenance", job.PausedReason);
    }

    [Fact]
    public void Pause_records_reason_and_time()
    {
        var job = Defined().Apply(new JobPaused("job-a", "too many failures", T0.AddHours(1))).Jobs["job-a"];

        Assert.True(job.Paused);
        Assert.Equal("too many failures", job.PausedReason);
        Assert.Equal(T0.AddHours(1), job.PausedSinceUtc);
    }

    [Fact]
    public void Resume_clears_the_pause_and_skips_through_the_resume_time()
    {
        var job = Defined()
            .Apply(new JobPaused("job-a", "maintenance", T0.AddHours(1)))
            .Apply(new JobResumed("job-a", T0.AddHours(2)))
            .Jobs["job-a"];

        Assert.False(job.Paused);
        Assert.Null(job.PausedReason);
        Assert.Null(job.PausedSinceUtc);
        Assert.Equal(T0.AddHours(2), job.SkipThroughUtc);
    }

    [Fact]
    public void Watermarks_only_move_forward()
    {
        var s = Defined().Apply(Marks(("job-a", T0.AddHours(2))));
        Assert.Equal(T0.AddHours(2), s.Jobs["job-a"].CoveredUtc);

        s = s.Apply(Marks(("job-a", T0.AddHours(1))));
        Assert.Equal(T0.AddHours(2), s.Jobs["job-a"].CoveredUtc);

        s = s.Apply(Marks(("job-a", T0.AddHours(2).AddTicks(1))));
        Assert.Equal(T0.AddHours(2).AddTicks(1), s.Jobs["job-a"].CoveredUtc);
    }

    [Fact]
    public void Watermark_before_creation_does_not_move_coverage_back()
    {
        var s = Defined(at: T0).Apply(Marks(("job-a", T0.AddDays(-1))));

        Assert.Equal(T0, s.Jobs["job-a"].CoveredUtc);
    }

    [Fact]
    public void Watermarks_for_several_jobs_apply_to_each_and_ignore_unknown_jobs()
    {
        var s = Defined("job-a").Apply(new JobDefined(Definition("job-b"), T0))
            .Apply(Marks(("job-a", T0.AddMinutes(1)), ("job-b", T0.AddMinutes(2)), ("ghost", T0.AddMinutes(3))));

        Assert.Equal(T0.AddMinutes(1), s.Jobs["job-a"].CoveredUtc);
        Assert.Equal(T0.AddMinutes(2), s.Jobs["job-b"].CoveredUtc);
        Assert.False(s.Jobs.ContainsKey("ghost"));
        Assert.Same(s, s.Apply(new WatermarksAdvanced(NoMarks)));
    }

    [Fact]
    public void Remove_drops_the_job_and_a_later_definition_starts_fresh()
    {
        var s = Defined().Apply(Marks(("job-a", T0.AddHours(2)))).Apply(new JobUndefined("job-a", T0.AddHours(3)));
        Assert.Empty(s.Jobs);

        var job = s.Apply(new JobDefined(Definition("job-a"), T0.AddHours(4))).Jobs["job-a"];
        Assert.Equal(T0.AddHours(4), job.CreatedUtc);
        Assert.Equal(T0.AddHours(4), job.CoveredUtc);
    }

    [Fact]
    public void Events_for_unknown_jobs_change_nothing()
    {
        var s = Defined();

        Assert.Equal(s.Jobs, s.Apply(new JobPaused("ghost", null, T0)).Jobs);
        Assert.Equal(s.Jobs, s.Apply(new JobResumed("ghost", T0)).Jobs);
        Assert.Equal(s.Jobs, s.Apply(new JobUndefined("ghost", T0)).Jobs);
    }

    [Fact]
    public void Busy_jobs_are_added_and_removed_by_checkpoints_and_forgotten_with_their_job()
    {
        var s = Defined("job-a").Apply(new JobDefined(Definition("job-b"), T0));

        s = s.Apply(new WatermarksAdvanced(NoMarks, Busy: ["job-a", "job-b", "ghost"]));
        Assert.Equal(["job-a", "job-b"], s.Busy.Order());

        s = s.Apply(new WatermarksAdvanced(NoMarks, Idle: ["job-a"]));
        Assert.Equal(["job-b"], s.Busy);

        s = s.Apply(new JobUndefined("job-b", T0.AddHours(1)));
        Assert.Empty(s.Busy);
    }
}
