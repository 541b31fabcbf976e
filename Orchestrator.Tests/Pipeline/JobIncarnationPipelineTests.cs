using Akka.Actor;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>Deleting and creating a job id again, through the scheduler and supervisor, in virtual time.</summary>
public sealed class JobIncarnationPipelineTests(ITestOutputHelper output) : PipelineSpec(output)
{
    private async Task RemoveAsync(string jobId) => Assert.IsType<CommandAck>(await Scheduler.Ask<object>(new RemoveJob(jobId), Patience));

    private async Task<int> SucceededAsync(string jobId, string prefix) =>
        (await RunsAsync(jobId)).Count(r => r.Status == RunStatus.Succeeded && r.RunId.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public async Task A_re_created_job_keeps_running_across_scheduler_fail_over_and_a_lost_supervisor()
    {
        await RegisterAsync(Job("re", "@every 1s"));
        await AdvanceUntilAsync(async () => await SucceededAsync("re", "re@") >= 2, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(20));
        await RemoveAsync("re");
        Advance(TimeSpan.FromSeconds(2));
        await RegisterAsync(Job("re", "@every 1s"));

        await AdvanceUntilAsync(async () => await SucceededAsync("re", "re~2@") >= 2, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(20));
        await FailOverSchedulerAsync();
        Assert.Equal(new LocalRegion.KillEntity("re"), await Jobs.Ask<LocalRegion.KillEntity>(new LocalRegion.KillEntity("re"), Patience));
        var before = await SucceededAsync("re", "re~2@");
        await AdvanceUntilAsync(async () => await SucceededAsync("re", "re~2@") >= before + 3, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

        var runId = await TriggerAsync("re");
        Assert.StartsWith("re~2@", runId);
        await AwaitRunAsync("re", runId, r => r.Status == RunStatus.Succeeded);
        var current = await RunsAsync("re");
        Assert.All(current, r => Assert.Equal(2, r.Incarnation));
        Assert.Equal(current.Count, current.Select(r => r.ScheduledUtc).Distinct().Count());
        var first = (await Jobs.Ask<ListRunsResult>(new ListRuns("re", 500, Incarnation: 1), Patience)).Runs;
        Assert.NotEmpty(first);
        Assert.All(first, r => Assert.StartsWith("re@", r.RunId));
    }

    [Fact]
    public async Task A_re_created_job_lists_no_runs_of_the_removed_one_before_its_first_time()
    {
        await RegisterAsync(Job("quiet", "manual"));
        var first = await TriggerAsync("quiet");
        await AwaitRunAsync("quiet", first, r => r.Status == RunStatus.Succeeded);
        await RemoveAsync("quiet");
        await RegisterAsync(Job("quiet", "manual"));

        await AwaitAssertAsync(async () =>
        {
            var result = await Jobs.Ask<ListRunsResult>(new ListRuns("quiet", 500), Patience);
            Assert.Equal(2, result.CurrentIncarnation);
            Assert.Empty(result.Runs);
        }, Patience);
        Assert.Equal(first, Assert.Single((await Jobs.Ask<ListRunsResult>(new ListRuns("quiet", 500, Incarnation: 1), Patience)).Runs).RunId);
    }

    [Fact]
    public async Task A_trigger_its_supervisor_refuses_as_removed_is_answered_with_a_conflict_not_a_run_id()
    {
        await RegisterAsync(Job("gone", "manual"));
        var job = (await Scheduler.Ask<GetJobResult>(new GetJob("gone"), Patience)).Job!;
        // The removal reached the supervisor first (as when a trigger is re-sent after the job was deleted).
        Jobs.Tell(new RetireJob("gone", job.CreatedUtc));

        var reply = await Scheduler.Ask<object>(new TriggerJob("gone"), Patience);

        var rejected = Assert.IsType<CommandRejected>(reply);
        Assert.Equal(RejectionKind.Conflict, rejected.Kind);
        Assert.Contains("removed", rejected.Errors[0].Message);
        Assert.Empty(await RunsAsync("gone"));
        Assert.Empty(Handled.For("gone"));
    }

    [Fact]
    public async Task A_trigger_of_a_removed_job_is_not_found()
    {
        await RegisterAsync(Job("away", "manual"));
        await RemoveAsync("away");

        var reply = await Scheduler.Ask<object>(new TriggerJob("away"), Patience);

        Assert.Equal(RejectionKind.NotFound, Assert.IsType<CommandRejected>(reply).Kind);
    }
}
