using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Akka.Jobs.Contracts.Audit;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Contracts.Serialization;
using Akka.Jobs.Orchestrator.ActorApi;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Akka.Jobs.Tests.ActorApi;

/// <summary>The actor API (<c>/user/jobs-api</c>) of a real node, asked from inside the node's ActorSystem.</summary>
public sealed class JobsApiActorTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private TestNode _node = null!;
    private ActorSystem _system = null!;
    private IActorRef _api = null!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        _system = _node.Services.GetRequiredService<ActorSystem>();
        _api = ActorRegistry.For(_system).Get<JobsApiKey>();
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static JobDefinition Manual(string id) => new() { Id = id, Schedule = "manual", Handler = "noop" };

    private Task<object> AskApi(object message) => _api.Ask<object>(message, Patience);

    private async Task<IReadOnlyList<AuditEntry>> Audit() => ((ListAuditResult)await AskApi(new ListAudit(Limit: 100))).Entries;

    [Fact]
    public async Task Valid_registration_is_acknowledged_and_audited_as_an_actor_call()
    {
        var reply = await AskApi(new RegisterJob(Manual("actor-valid")));

        Assert.Equal(new CommandAck("actor-valid", Created: true), reply);
        var job = Assert.IsType<GetJobResult>(await AskApi(new GetJob("actor-valid")));
        Assert.Equal("noop", job.Job!.Definition.Handler);
        var entry = Assert.Single(await Audit(), e => e.Action == "jobs.put");
        Assert.Equal(("actor-valid", "ok", "actor"), (entry.Target, entry.Outcome, entry.Via));
        Assert.Contains("/temp/", entry.Caller); // the asking actor's path
    }

    [Fact]
    public async Task Invalid_definition_is_rejected_naming_the_fields()
    {
        var bad = Manual("Not Valid!") with { Retry = new RetryPolicy { MaxAttempts = 0 } };

        var rejected = Assert.IsType<CommandRejected>(await AskApi(new RegisterJob(bad)));

        Assert.Equal(RejectionKind.Invalid, rejected.Kind);
        Assert.Contains(rejected.Errors, e => e.Field == "definition.id");
        Assert.Contains(rejected.Errors, e => e.Field == "definition.retry.maxAttempts");
        var entry = Assert.Single(await Audit(), e => e.Action == "jobs.put");
        Assert.StartsWith("rejected: invalid: definition.id", entry.Outcome);
        Assert.Equal("actor", entry.Via);
    }

    [Fact]
    public async Task Null_or_malformed_definition_is_rejected_and_the_node_keeps_working()
    {
        var serializer = new ContractsSerializer((ExtendedActorSystem)_system);
        // What a careless client's payloads become on arrival: no definition; a definition with nulls in its records.
        var empty = serializer.FromBinary("{}"u8.ToArray(), "register-job.v1");
        var nulls = serializer.FromBinary(Encoding.UTF8.GetBytes(
            """{"definition":{"id":"actor-nulls","schedule":"manual","handler":"noop","retry":null,"entities":null}}"""), "register-job.v1");

        var noDefinition = Assert.IsType<CommandRejected>(await AskApi(empty));
        var malformed = Assert.IsType<CommandRejected>(await AskApi(nulls));
        var triggerWithoutId = Assert.IsType<CommandRejected>(await AskApi(new TriggerJob(null!)));
        var nullId = Assert.IsType<CommandRejected>(await AskApi(serializer.FromBinary(
            """{"definition":{"id":null,"schedule":"manual","handler":"noop"}}"""u8.ToArray(), "register-job.v1")));

        Assert.Equal("definition", Assert.Single(noDefinition.Errors).Field);
        Assert.Equal("definition", Assert.Single(malformed.Errors).Field);
        Assert.Equal(("jobId", "is required"), (Assert.Single(triggerWithoutId.Errors).Field, triggerWithoutId.Errors[0].Message));
        Assert.Equal("definition.id", Assert.Single(nullId.Errors).Field);
        Assert.IsType<CommandAck>(await AskApi(new RegisterJob(Manual("actor-after-null"))));
    }

    [Fact]
    public async Task Unknown_message_is_rejected_as_not_a_command()
    {
        var rejected = Assert.IsType<CommandRejected>(await AskApi("hello"));

        Assert.Equal(("", RejectionKind.Invalid), (rejected.JobId, rejected.Kind));
        var error = Assert.Single(rejected.Errors);
        Assert.Equal("message", error.Field);
        Assert.Contains("is not a command of the jobs API", error.Message);
    }

    [Fact]
    public async Task Bad_ids_foreign_runs_and_unknown_jobs_are_rejected_and_audited()
    {
        var badId = Assert.IsType<CommandRejected>(await AskApi(new PauseJob("UPPER")));
        var foreignRun = Assert.IsType<CommandRejected>(await AskApi(new CancelRun("actor-a", "other-job@20260101T000000.000Z")));
        var unknown = Assert.IsType<CommandRejected>(await AskApi(new TriggerJob("actor-nobody")));
        var count = Assert.IsType<CommandRejected>(await AskApi(new GetNextFireTimes("actor-a", 0)));

        Assert.Equal("jobId", Assert.Single(badId.Errors).Field);
        Assert.Equal("runId", Assert.Single(foreignRun.Errors).Field);
        Assert.Equal(RejectionKind.NotFound, unknown.Kind);
        Assert.Equal("count", Assert.Single(count.Errors).Field);
        var audit = await Audit();
        Assert.Contains(audit, e => e is { Action: "jobs.trigger", Target: "actor-nobody", Via: "actor" } && e.Outcome.StartsWith("rejected: not found"));
        Assert.Contains(audit, e => e is { Action: "runs.cancel", Via: "actor" } && e.Outcome.StartsWith("rejected: invalid: runId"));
    }

    [Fact]
    public async Task Trigger_is_acknowledged_with_the_run_id_and_its_events_reach_both_topics_and_subscribers()
    {
        const string id = "actor-events";
        Assert.IsType<CommandAck>(await AskApi(new RegisterJob(Manual(id))));
        var mediator = DistributedPubSub.Get(_system).Mediator;
        var perJob = Listener(out var perJobEvents);
        var all = Listener(out var allEvents);
        var outside = Listener(out var outsideEvents);
        mediator.Tell(new Subscribe(RunTopics.ForJob(id), perJob), perJob); // the ack goes to the sender
        mediator.Tell(new Subscribe(RunTopics.Runs, all), all);
        Assert.IsType<SubscribeAck>(await Next(perJobEvents));
        Assert.IsType<SubscribeAck>(await Next(allEvents));
        _api.Tell(new SubscribeRunEvents(id), outside);
        Assert.Equal(new RunEventsSubscribed(id, TimeSpan.FromSeconds(30)), await Next(outsideEvents));

        var ack = Assert.IsType<CommandAck>(await AskApi(new TriggerJob(id)));

        Assert.NotNull(ack.RunId);
        foreach (var events in new[] { perJobEvents, allEvents, outsideEvents })
        {
            var seen = await EventsUntilEnd(events, ack.RunId!);
            Assert.Equal([RunEvents.Started, RunEvents.Succeeded], seen.Select(e => e.Event));
            Assert.Equal(RunStatus.Succeeded, seen[^1].Run.Status);
        }
        var entry = Assert.Single(await Audit(), e => e.Action == "jobs.trigger");
        Assert.Equal((id, "ok", "actor"), (entry.Target, entry.Outcome, entry.Via));
        var runs = Assert.IsType<ListRunsResult>(await AskApi(new ListRuns(id)));
        Assert.Equal(ack.RunId, Assert.Single(runs.Runs).RunId);

        _api.Tell(new UnsubscribeRunEvents(id), outside);
        Assert.Equal(new RunEventsUnsubscribed(id), await Next(outsideEvents));
    }

    [Fact]
    public async Task Failed_attempts_are_published_before_the_run_fails()
    {
        const string id = "actor-failing";
        var failing = new JobDefinition
        {
            Id = id,
            Schedule = "manual",
            Handler = "shell",
            Parameters = System.Text.Json.JsonSerializer.SerializeToElement(new { command = "false" }),
            Retry = new RetryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero },
        };
        Assert.IsType<CommandAck>(await AskApi(new RegisterJob(failing)));
        var listener = Listener(out var events);
        DistributedPubSub.Get(_system).Mediator.Tell(new Subscribe(RunTopics.ForJob(id), listener), listener);
        Assert.IsType<SubscribeAck>(await Next(events));

        var ack = Assert.IsType<CommandAck>(await AskApi(new TriggerJob(id)));

        var seen = await EventsUntilEnd(events, ack.RunId!);
        Assert.Equal([RunEvents.Started, RunEvents.AttemptFailed, RunEvents.AttemptFailed, RunEvents.Failed], seen.Select(e => e.Event));
        Assert.Equal([1, 2], seen.Where(e => e.Event == RunEvents.AttemptFailed).Select(e => e.Attempt!.Value));
        Assert.All(seen.Where(e => e.Event == RunEvents.AttemptFailed), e => Assert.False(string.IsNullOrEmpty(e.Error)));
        Assert.Equal(RunStatus.Failed, seen[^1].Run.Status);
    }

    [Fact]
    public async Task Runs_route_to_their_owners_with_by_filled_and_silence_is_answered_as_unavailable()
    {
        // An API actor whose scheduler and job region are listeners that never answer.
        var scheduler = Listener(out var toScheduler);
        var jobs = Listener(out var toJobs);
        var audit = _node.Services.GetRequiredService<Akka.Jobs.Orchestrator.Security.AuditLog>();
        var api = _system.ActorOf(JobsApiActor.Props(scheduler, jobs, DistributedPubSub.Get(_system).Mediator, audit, timeout: TimeSpan.FromMilliseconds(300)));
        const string run = "actor-x@20260101T000000.000Z";

        var rerun = api.Ask<object>(new RerunRun("actor-x", run), Patience);
        var cancel = api.Ask<object>(new CancelRun("actor-x", run), Patience);
        var pause = api.Ask<object>(new PauseJob("actor-x", "window", By: "ops"), Patience);

        var trigger = Assert.IsType<TriggerJob>(await Next(toScheduler));
        Assert.Equal(("actor-x", run), (trigger.JobId, trigger.RerunOf));
        Assert.Contains("/temp/", trigger.By);
        Assert.Equal("ops", Assert.IsType<PauseJob>(await Next(toScheduler)).By);
        var cancelled = Assert.IsType<CancelRun>(await Next(toJobs));
        Assert.Contains("/temp/", cancelled.By);
        foreach (var reply in new[] { await rerun, await cancel, await pause })
        {
            var rejected = Assert.IsType<CommandRejected>(reply);
            Assert.Equal(RejectionKind.Unavailable, rejected.Kind);
            Assert.Equal("the cluster did not answer in time", Assert.Single(rejected.Errors).Message);
        }
        var entry = Assert.Single(await Audit(), e => e.Action == "runs.rerun");
        Assert.Equal((run, "actor"), (entry.Target, entry.Via));
        Assert.StartsWith("rejected: unavailable", entry.Outcome);
    }

    [Fact]
    public async Task Pause_through_the_actor_api_pauses_the_job_and_is_audited()
    {
        Assert.IsType<CommandAck>(await AskApi(new RegisterJob(Manual("actor-pause"))));

        Assert.IsType<CommandAck>(await AskApi(new PauseJob("actor-pause", "maintenance")));

        var job = Assert.IsType<GetJobResult>(await AskApi(new GetJob("actor-pause")));
        Assert.True(job.Job!.Paused);
        var entry = Assert.Single(await Audit(), e => e.Action == "jobs.pause");
        Assert.Equal(("ok", "actor"), (entry.Outcome, entry.Via));
    }

    private IActorRef Listener(out ChannelReader<object> reader)
    {
        var channel = Channel.CreateUnbounded<object>();
        reader = channel.Reader;
        return _system.ActorOf(Props.Create(() => new ChannelActor(channel.Writer)));
    }

    private static async Task<object> Next(ChannelReader<object> reader)
    {
        using var cts = new CancellationTokenSource(Patience);
        return await reader.ReadAsync(cts.Token);
    }

    private static async Task<List<RunStatusChanged>> EventsUntilEnd(ChannelReader<object> reader, string runId)
    {
        var seen = new List<RunStatusChanged>();
        while (true)
        {
            if (await Next(reader) is not RunStatusChanged e || e.Run.RunId != runId) continue;
            seen.Add(e);
            if (e.IsFinal) return seen;
        }
    }

    private sealed class ChannelActor : ReceiveActor
    {
        public ChannelActor(ChannelWriter<object> writer) => ReceiveAny(m => writer.TryWrite(m));
    }
}
