using Akka.Jobs.Contracts.Runs;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>Runs are stored and handed out prepare-ahead (1 s) before their time; handlers start at the time.</summary>
public sealed class PrepareAheadTests(ITestOutputHelper output) : PipelineSpec(output)
{
    [Fact]
    public async Task A_run_is_accepted_before_its_time_and_its_handler_starts_at_the_time()
    {
        await RegisterAsync(Job("punctual", "@every 10s"));
        var due = Start.AddSeconds(10);

        Advance(TimeSpan.FromSeconds(9.5), TimeSpan.FromMilliseconds(500));
        var run = await AwaitRunAsync("punctual", RunIds.For("punctual", due), r => r.Status == RunStatus.Running);
        Assert.Equal(due, run.StartedUtc);
        await Task.Delay(200); // the worker got the item; its handler must still wait
        Assert.Empty(Handled.For("punctual"));

        Advance(TimeSpan.FromSeconds(0.5), TimeSpan.FromMilliseconds(500));
        await AwaitCallsAsync("punctual", 1);
        Assert.Equal(due, Handled.For("punctual")[0].StartedUtc);
        Assert.Equal(due, Handled.For("punctual")[0].Context.ScheduledUtc);
    }

    [Fact]
    public async Task A_time_prepared_while_a_run_is_in_flight_is_decided_at_the_time_against_the_overlap_policy()
    {
        // Each run takes 9.5 s of a 10 s period: when the next time is prepared (1 s ahead) the previous
        // run is still in flight, but by the time itself it has ended, so forbid-overlap must not skip it.
        await RegisterAsync(Job("tight", "@every 10s", new { durationMs = "9500" }));

        await AdvanceUntilAsync(async () => (await RunsAsync("tight")).Count(r => r.Status == RunStatus.Succeeded) >= 3,
            TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(60));

        var runs = await RunsAsync("tight");
        Assert.DoesNotContain(runs, r => r.Status == RunStatus.Skipped);
        var calls = Handled.For("tight").OrderBy(c => c.StartedUtc).ToList();
        Assert.All(calls, c => Assert.Equal(c.Context.ScheduledUtc, c.StartedUtc));
    }
}
