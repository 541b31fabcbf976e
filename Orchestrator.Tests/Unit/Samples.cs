using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Actors.Jobs;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Tests.Unit;

/// <summary>Fixed instants and realistic definitions shared by the unit tests. Nothing here reads the clock.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 2, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset U(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static JobDefinition Definition(string id = "nightly-report", OverlapPolicy overlap = OverlapPolicy.Forbid, IReadOnlyList<string>? entities = null) => new()
    {
        Id = id,
        Schedule = "0 2 * * *",
        TimeZone = "Europe/Berlin",
        Handler = "http",
        Parameters = Json("""{"url":"https://reports.example.com/run","method":"POST","headers":{"X-Tenant":"acme"},"body":{"days":[1,2,3],"dry":false}}"""),
        Entities = entities ?? [],
        Overlap = overlap,
        Misfire = MisfirePolicy.FireAll,
        MaxCatchUp = 7,
        Retry = new RetryPolicy
        {
            MaxAttempts = 5,
            InitialBackoff = TimeSpan.FromSeconds(2),
            MaxBackoff = TimeSpan.FromMinutes(3),
            Multiplier = 3.0,
            Jitter = 0.1,
            NonRetryable = ["http-4xx", "bad-input"],
        },
        Timeout = TimeSpan.FromMinutes(30),
        MaxParallel = 4,
        AlertAfter = 2,
        PauseAfter = 5,
        OnInterrupt = InterruptPolicy.Resume,
        Tenant = "acme",
        Description = "Builds the nightly report",
        Tags = ["reports", "nightly"],
    };

    public static JobDefinition FanOut(OverlapPolicy overlap = OverlapPolicy.Forbid) => Definition("fan-out", overlap, ["a", "b", "c"]);

    public static RunView RunView(string jobId = "nightly-report", RunStatus status = RunStatus.Failed) => new(
        RunIds.For(jobId, T0), jobId, T0, T0.AddSeconds(1), T0.AddMinutes(2), status, TriggerKind.CatchUp, 3,
        "item 'b' failed", "http-5xx: 503 Service Unavailable", "akka.tcp://akka-jobs@10.0.0.5:4053", 3, 1,
        Cause: "rerun of nightly-report@20260301T020000.000Z by ops",
        FailedAttempts: Akka.Jobs.Contracts.ValueList<AttemptView>.Of([Attempt(1), Attempt(2) with { Outcome = "timed-out", ErrorKind = "run-deadline" }]));

    public static AttemptView Attempt(int n) => new("b", n, "akka.tcp://akka-jobs@10.0.0.5:4053", T0.AddSeconds(n), T0.AddSeconds(n + 30), "failed",
        "http-5xx", "503 Service Unavailable");

    public static JobView JobView(JobDefinition? d = null) =>
        new(d ?? Definition(), true, "maintenance window", T0.AddDays(-10), T0.AddDays(-1), T0.AddDays(1), T0.AddDays(2));

    public static Tick Tick(JobDefinition d, DateTimeOffset at, TriggerKind trigger = TriggerKind.Scheduled, string? skip = null,
        DateTimeOffset? through = null, int count = 1) => new(d.Id, at, trigger, d, at.AddHours(-1), skip, through, count);

    /// <summary>A job state with a running fan-out run (one item done, one retrying), a queued run, history and decided times.</summary>
    public static JobState BusyJobState()
    {
        var d = FanOut(OverlapPolicy.BufferOne);
        var s = JobState.Empty(d.Id);
        IJobEvent[] events =
        [
            new DefinitionAdopted(d.Id, d),
            new RunSkipped(d.Id, RunIds.For(d.Id, T0.AddDays(-3)), T0.AddDays(-3), TriggerKind.Scheduled, "paused", T0.AddDays(-3)),
            new RunSkipped(d.Id, RunIds.For(d.Id, T0.AddDays(-2)), T0.AddDays(-2), TriggerKind.Scheduled, "misfire", T0, T0.AddDays(-1).AddHours(-1), 23),
            new RunAccepted(d.Id, RunIds.For(d.Id, T0.AddDays(-1)), T0.AddDays(-1), TriggerKind.CatchUp, T0.AddDays(-1), false, ["a", "b", "c"]),
            new AttemptFailed(d.Id, RunIds.For(d.Id, T0.AddDays(-1)), "a", 1, "node-1", T0.AddDays(-1), T0.AddDays(-1).AddSeconds(5), "http-5xx", "503", false),
            new RunFinished(d.Id, RunIds.For(d.Id, T0.AddDays(-1)), RunStatus.Failed, T0.AddDays(-1).AddMinutes(1), "item 'a' failed", "503"),
            new RunAccepted(d.Id, RunIds.For(d.Id, T0), T0, TriggerKind.Scheduled, T0, false, ["a", "b", "c"]),
            new ItemSucceeded(d.Id, RunIds.For(d.Id, T0), "a", 1, "node-2", T0, T0.AddSeconds(3), "ok"),
            new AttemptFailed(d.Id, RunIds.For(d.Id, T0), "b", 1, "node-1", T0, T0.AddSeconds(4), "timeout", "took too long", true),
            new RunAccepted(d.Id, RunIds.For(d.Id, T0.AddDays(1)), T0.AddDays(1), TriggerKind.Scheduled, T0.AddDays(1), true, ["a", "b", "c"]),
        ];
        s = events.Aggregate(s, (acc, e) => acc.Apply(e));
        return s with { ForgottenUpTo = T0.AddDays(-30), Incarnation = 2, IncarnationCreatedUtc = T0.AddDays(-40) };
    }

    public static SchedulerState BusySchedulerState()
    {
        var a = Definition("job-a");
        var b = Definition("job-b") with { Schedule = "@every 90s", TimeZone = "UTC", Handler = "noop", Parameters = JobParameters.Empty };
        return SchedulerState.Empty
            .Apply(new JobDefined(a, T0.AddDays(-5)))
            .Apply(new JobDefined(b, T0.AddDays(-4)))
            .Apply(new JobPaused("job-a", "maintenance (paused by ops)", T0.AddDays(-2), T0.AddDays(2), "maintenance", "ops"))
            .Apply(new JobResumed("job-b", T0.AddDays(-1)))
            .Apply(new JobDefined(Definition("job-c"), T0.AddDays(-3)))
            .Apply(new JobUndefined("job-c", T0.AddDays(-2)))
            .Apply(new WatermarksAdvanced(new Dictionary<string, DateTimeOffset> { ["job-a"] = T0.AddDays(-3), ["job-b"] = T0 }, Busy: ["job-b"],
                Failures: new Dictionary<string, int> { ["job-a"] = 3 }));
    }

    /// <summary>One realistic, non-default instance of every type the two serializers own.</summary>
    public static IReadOnlyDictionary<Type, object> SerializerSamples()
    {
        var d = Definition();
        var runId = RunIds.For(d.Id, T0);
        object[] samples =
        [
            // Contracts
            new RegisterJob(d, ["team-a"]),
            new RemoveJob(d.Id, ["team-a"]),
            new PauseJob(d.Id, "maintenance window", T0.AddHours(2), "ops", ["team-a"]),
            new ResumeJob(d.Id, "ops", ["team-a"]),
            new TriggerJob(d.Id, runId, "ops", ["team-a", "team-b"]),
            new RerunRun(d.Id, runId, "ops", ["team-a"]),
            new CancelRun(d.Id, runId, "akka://client/user/x", ["team-a"]),
            new GetRun(d.Id, runId),
            new GetRunResult(d.Id, RunView(), [Attempt(1), Attempt(2)]),
            new Akka.Jobs.Contracts.Audit.ListAudit(T0, 50),
            new Akka.Jobs.Contracts.Audit.ListAuditResult([new Akka.Jobs.Contracts.Audit.AuditEntry(7, T0, "ops", "runs.cancel", runId, "ok", "cli")]),
            new CommandAck(d.Id, true, runId),
            new CommandRejected(d.Id, RejectionKind.Invalid, [new ValidationError("retry.maxAttempts", "must be between 1 and 100, got 0"), new ValidationError("timeZone", "'Mars' is not a known IANA time zone")]),
            new GetJob(d.Id),
            new GetJobResult(d.Id, JobView(d)),
            new ListJobs("acme"),
            new ListJobsResult([JobView(d), JobView(FanOut()) with { Paused = false, PausedReason = null, NextFireUtc = null }]),
            new GetNextFireTimes(d.Id, 5),
            new GetNextFireTimesResult(d.Id, [T0, T0.AddDays(1), T0.AddDays(2)]),
            new ListRuns(d.Id, 20, RunStatus.TimedOut, 2, T0.AddDays(-9)),
            new ListRunsResult(d.Id, [RunView(), RunView(status: RunStatus.Skipped) with { SkippedTimes = 40, Items = 0, StartedUtc = null, Incarnation = 3 }], 3),
            new RunStatusChanged(RunView(), RunEvents.AttemptFailed, 2, "503 Service Unavailable"),
            new SubscribeRunEvents(d.Id),
            new RunEventsSubscribed(d.Id, TimeSpan.FromSeconds(30)),
            new UnsubscribeRunEvents(d.Id),
            new RunEventsUnsubscribed(null),
            // node-to-node
            Tick(d, T0, TriggerKind.Scheduled, "misfire", T0.AddHours(5), 300) with { JobCreatedUtc = T0.AddDays(-9) },
            new TickAck(d.Id, T0, runId, true, [new SkipSpan(T0, T0.AddHours(1))], Busy: true, Seq: 4711, Stale: true, JobCreatedUtc: T0.AddDays(-9)),
            new WakeJob(d.Id, d, T0.AddDays(-9)),
            new JobIdle(d.Id, 4712, 2),
            new NodeRemoved(d.Id, "akka.tcp://akka-jobs@10.0.0.3:4053"),
            new RetireJob(d.Id, T0.AddDays(-9)),
            new AutoPauseJob(d.Id, 5, T0.AddDays(-9)),
            new CheckDue(d.Id),
            new ExecuteWork(d.Id, runId, "customer-42", 2, T0, T0.AddMinutes(30), d, T0.AddSeconds(1)),
            new CancelWork(d.Id, runId, "customer-42", "replaced by nightly-report@20260302T020000.000Z"),
            new WorkStarted(d.Id, runId, "customer-42", 2, "node-3", T0.AddSeconds(2)),
            new WorkHeartbeat(d.Id, runId, "customer-42", 2, "node-3"),
            new WorkRecorded(d.Id, runId, "customer-42"),
            new WorkSucceeded(d.Id, runId, "customer-42", 2, "node-3", T0.AddSeconds(2), T0.AddSeconds(9), "200 OK\n{\"rows\":12}"),
            new WorkFailed(d.Id, runId, "customer-42", 2, "node-3", T0.AddSeconds(2), T0.AddSeconds(9), "http-5xx", "503", Retryable: false),
            new WorkTimedOut(d.Id, runId, "customer-42", 2, "node-3", T0.AddSeconds(2), T0.AddMinutes(30)),
            new WorkCancelled(d.Id, runId, "customer-42", 2, "node-3", T0.AddSeconds(4)),
            // job actor journal
            new DefinitionAdopted(d.Id, d, T0.AddDays(-9)),
            new RunAccepted(d.Id, runId, T0, TriggerKind.Manual, T0.AddSeconds(-1), false, ["a", "b", "c"], T0, "triggered by ops"),
            new RunSkipped(d.Id, runId, T0, TriggerKind.Scheduled, "misfire", T0.AddHours(6), T0.AddHours(5), 300),
            new RunStarted(d.Id, runId, T0.AddSeconds(3)),
            new AttemptFailed(d.Id, runId, "b", 2, "node-1", T0, T0.AddSeconds(1), "http-5xx", "503 Service Unavailable", true, 3, T0.AddSeconds(11)),
            new ItemSucceeded(d.Id, runId, "c", 1, "node-2", T0, T0.AddSeconds(2), "done"),
            new RunFinished(d.Id, runId, RunStatus.TimedOut, T0.AddMinutes(30), "exceeded timeout 00:30:00", "timeout: took too long"),
            new RunResumed(d.Id, runId, T0.AddMinutes(1)),
            new JobRetired(d.Id, T0.AddDays(1)),
            new JobIncarnated(d.Id, 2, T0.AddDays(2), T0.AddDays(2).AddSeconds(1)),
            BusyJobState(),
            // scheduler journal
            new JobDefined(d, T0),
            new JobUndefined(d.Id, T0.AddDays(1)),
            new JobPaused(d.Id, "deploy (paused by ops)", T0.AddHours(1), T0.AddHours(3), "deploy", "ops"),
            new JobResumed(d.Id, T0.AddHours(2), "ops"),
            new WatermarksAdvanced(new Dictionary<string, DateTimeOffset> { ["job-a"] = T0, ["job-b"] = T0.AddMinutes(90) }, ["job-a"], ["job-b"],
                new Dictionary<string, int> { ["job-a"] = 0, ["job-b"] = 4 }),
            BusySchedulerState(),
        ];
        return samples.ToDictionary(s => s.GetType());
    }

    public static ImmutableSortedSet<DateTimeOffset> Times(params DateTimeOffset[] times) => [.. times];
}
