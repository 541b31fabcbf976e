using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Actors.Workers;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Pipeline;

/// <summary>
/// A worker runs exactly the attempt its job actor hands it and reports the raw outcome; it never retries by itself,
/// so an attempt number is only ever used once, even by a worker cut off from its job actor.
/// </summary>
public sealed class WorkerAttemptTests(ITestOutputHelper output) : PipelineSpec(output)
{
    private ExecuteWork Work(int attempt = 1, DateTimeOffset? notBefore = null) => new("grant", "grant@1", "main", attempt, Start, Start.AddHours(1),
        Job("grant", "manual", new { failUntil = "3" }), notBefore);

    private IActorRef NewWorker(IActorRef jobActor) =>
        Sys.ActorOf(EntityWorkerActor.Props(jobActor, Handlers, Clock, "node-a", null, TimeSpan.FromMinutes(10)));

    [Fact]
    public async Task A_failed_attempt_is_reported_with_what_the_handler_said_and_nothing_runs_until_the_next_attempt_is_handed_out()
    {
        var jobActor = CreateTestProbe();
        var worker = NewWorker(jobActor.Ref);

        worker.Tell(Work());
        jobActor.ExpectMsg<WorkStarted>(s => s.Attempt == 1, Patience);
        var failed = jobActor.ExpectMsg<WorkFailed>(Patience);
        Assert.Equal((1, "flaky", true), (failed.Attempt, failed.ErrorKind, failed.Retryable));

        Advance(TimeSpan.FromMinutes(1)); // far past any backoff: nobody handed out attempt 2
        jobActor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Single(Handled.For("grant"));

        worker.Tell(Work(attempt: 2));
        jobActor.ExpectMsg<WorkStarted>(s => s.Attempt == 2, Patience);
        await AwaitCallsAsync("grant", 2);
        Assert.Equal([1, 2], Handled.For("grant").Select(c => c.Context.Attempt));
    }

    [Fact]
    public async Task A_retry_waits_for_its_not_before_time()
    {
        var jobActor = CreateTestProbe();
        var worker = NewWorker(jobActor.Ref);
        worker.Tell(Work());
        jobActor.ExpectMsg<WorkStarted>(Patience);
        jobActor.ExpectMsg<WorkFailed>(Patience);

        worker.Tell(Work(attempt: 2, notBefore: Start.AddSeconds(10)));
        jobActor.ExpectMsg<WorkStarted>(s => s.Attempt == 2, Patience);
        Advance(TimeSpan.FromSeconds(10));

        await AwaitCallsAsync("grant", 2);
        Assert.Equal(Start.AddSeconds(10), Handled.For("grant")[1].StartedUtc);
    }

    [Fact]
    public void Re_dispatch_of_an_attempt_whose_outcome_is_known_repeats_the_outcome_instead_of_running_again()
    {
        var jobActor = CreateTestProbe();
        var worker = NewWorker(jobActor.Ref);
        worker.Tell(Work());
        jobActor.ExpectMsg<WorkStarted>(Patience);
        var failed = jobActor.ExpectMsg<WorkFailed>(Patience);

        // The report was lost with the job actor's node; its successor dispatches the same attempt again.
        worker.Tell(Work(attempt: 1));

        Assert.Equal(failed, jobActor.ExpectMsg<WorkFailed>(Patience));
        jobActor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Single(Handled.For("grant"));
    }

    [Fact]
    public async Task An_attempt_still_running_when_the_items_outcome_is_recorded_is_cancelled_without_a_report()
    {
        // After a job actor fail-over a re-dispatch can cross the failure report of the attempt before it: the worker
        // starts the next attempt, and the job actor then records the item failed for good. Nobody waits for it.
        var jobActor = CreateTestProbe();
        var worker = NewWorker(jobActor.Ref);
        worker.Tell(new ExecuteWork("hang", "hang@1", "main", 2, Start, Start.AddHours(1), Job("hang", "manual", new { hang = "true" })));
        jobActor.ExpectMsg<WorkStarted>(s => s.Attempt == 2, Patience);
        await AwaitCallsAsync("hang", 1);

        worker.Tell(new WorkRecorded("hang", "hang@1", "main"));

        await AwaitConditionAsync(() => Task.FromResult(Handled.For("hang")[0].Cancelled), Patience);
        jobActor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_custom_handlers_10_MB_output_is_kept_as_its_last_4_KB()
    {
        var output = Report<WorkSucceeded>("big@1", new { outputChars = "10000000" }).Output!;

        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(output), 4_000, 4_096);
        Assert.EndsWith("oooTHE-END", output);
    }

    [Fact]
    public void A_custom_handlers_10_MB_error_message_is_kept_as_its_start_and_end_within_4_KB()
    {
        var failed = Report<WorkFailed>("big@2", new { errorChars = "10000000" });

        Assert.Equal("huge", failed.ErrorKind);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(failed.Error), 4_000, 4_096);
        Assert.StartsWith("BEGIN-eee", failed.Error);
        Assert.EndsWith("eeeTHE-END", failed.Error);
    }

    [Fact]
    public void A_crashed_attempt_runners_error_is_masked_and_kept_within_4_KB()
    {
        // The runner itself crashes (not the handler): masking the handler's output throws, with the secret in the message.
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton(Handled);
        services.AddSingleton<ISecretStore>(new CrashingMask());
        services.AddBuiltInJobHandlers();
        services.AddJobHandler<ScriptedHandler>("scripted");
        var handlers = services.BuildServiceProvider().GetRequiredService<JobHandlerRegistry>();
        var jobActor = CreateTestProbe();
        var worker = Sys.ActorOf(EntityWorkerActor.Props(jobActor.Ref, handlers, Clock, "node-a", null, TimeSpan.FromMinutes(10)));

        worker.Tell(new ExecuteWork("crash", "crash@1", "main", 1, Start, Start.AddHours(1), Job("crash", "manual", new { })));
        jobActor.ExpectMsg<WorkStarted>(Patience);
        var failed = jobActor.ExpectMsg<WorkFailed>(Patience);

        Assert.Equal(nameof(InvalidOperationException), failed.ErrorKind);
        Assert.DoesNotContain(CrashingMask.Secret, failed.Error);
        Assert.StartsWith("runner crashed near ***", failed.Error);
        Assert.EndsWith("THE-END", failed.Error);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(failed.Error), 4_000, 4_096);
    }

    /// <summary>Masks <see cref="Secret"/>, and throws (with the secret and 10 MB in the message) on a handler's output.</summary>
    private sealed class CrashingMask : ISecretStore
    {
        public const string Secret = "secret-value-0123456789";
        public IReadOnlyCollection<string> Names => [];
        public string? Deny(string name, string? tenant, string? host) => "no secrets here";
        public bool TryResolve(string name, string? tenant, string? host, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
        {
            (value, error) = (null, "no secrets here");
            return false;
        }
        public string Mask(string text) => text.StartsWith("ok at attempt", StringComparison.Ordinal)
            ? throw new InvalidOperationException($"runner crashed near {Secret} " + new string('x', 10_000_000) + "THE-END")
            : text.Replace(Secret, "***", StringComparison.Ordinal);
    }

    /// <summary>What a worker reports after running one attempt of the scripted handler with <paramref name="parameters"/>.</summary>
    private T Report<T>(string runId, object parameters)
    {
        var jobActor = CreateTestProbe();
        NewWorker(jobActor.Ref).Tell(new ExecuteWork("big", runId, "main", 1, Start, Start.AddHours(1), Job("big", "manual", parameters)));
        jobActor.ExpectMsg<WorkStarted>(Patience);
        return jobActor.ExpectMsg<T>(Patience);
    }
}
