using System.Text.Json;
using Akka.Actor;
using Akka.Jobs.Actors;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Unit;

/// <summary>
/// After a gap (e.g. a fail-over) the scheduler sends the catch-up run before the skip records of
/// the missed times, so the run does not wait for a dozen skip writes at the supervisor.
/// </summary>
public sealed class SchedulerEmitOrderTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(InMemoryPersistence.Config, output: output)
{
    [Fact]
    public async Task Catch_up_run_is_sent_before_the_skips_of_the_missed_times()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddBuiltInJobHandlers();
        var jobs = CreateTestProbe();
        var settings = new JobsSettings { UseQuartz = false, SweepInterval = TimeSpan.FromHours(1), TickResendAfter = TimeSpan.FromHours(1) };
        var scheduler = Sys.ActorOf(new PipelineProps(services.BuildServiceProvider(), settings).Scheduler(jobs));
        var definition = new JobDefinition { Id = "gap", Schedule = "@every 1s", Handler = "noop", Parameters = JsonSerializer.SerializeToElement(new { }) };
        Assert.IsType<CommandAck>(await scheduler.Ask<object>(new RegisterJob(definition), TimeSpan.FromSeconds(10)));

        clock.Advance(TimeSpan.FromSeconds(12)); // longer than the 5 s misfire threshold: fire-once applies
        scheduler.Tell(new CheckDue("gap"));

        var ticks = new List<Tick>();
        while (ticks.Sum(t => t.SkippedCount) < 12)
            ticks.Add(jobs.FishForMessage<Tick>(_ => true, TimeSpan.FromSeconds(10)));
        Assert.Equal(TriggerKind.CatchUp, ticks[0].Trigger);
        Assert.Null(ticks[0].SkipReason);
        Assert.Equal(clock.GetUtcNow(), ticks[0].ScheduledUtc);
        Assert.All(ticks.Skip(1), t => Assert.Equal("misfire", t.SkipReason));
    }
}
