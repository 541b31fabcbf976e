using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Contracts.Audit;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Orchestrator.Security;

namespace Akka.Jobs.Orchestrator.ActorApi;

/// <summary>
/// The actor API (<c>/user/jobs-api</c> on every node, registered with the cluster client receptionist): the Contracts
/// commands and queries from other services, checked as the HTTP API checks them, routed to the scheduler or the job
/// region, and answered to the original sender. It is an edge like the HTTP API, so it asks (never blocks): each request
/// is an Ask piped back to its sender, and a timeout is answered with <see cref="RejectionKind.Unavailable"/>. Every
/// mutating command is written to the audit log (via <c>actor</c>, caller = the sender's path) before the reply.
/// <para>
/// There are no tokens here: whoever reaches the cluster's remoting port can send these messages, so the remoting
/// network must be as trusted as the cluster itself (a private network, or TLS on Akka.Remote).
/// </para>
/// </summary>
public sealed class JobsApiActor : ReceiveActor
{
    public const string Name = "jobs-api";

    /// <summary>Most runs one <see cref="ListRuns"/> returns (as the HTTP API); a larger limit is clamped.</summary>
    public const int MaxRunsPage = Api.JobsApi.MaxRunsPage;

    /// <summary>Most fire times one <see cref="GetNextFireTimes"/> returns.</summary>
    public const int MaxFireTimes = GetNextFireTimes.MaxCount;

    private const string Via = "actor";

    private readonly IActorRef _scheduler;
    private readonly IActorRef _jobs;
    private readonly IActorRef _mediator;
    private readonly AuditLog _audit;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _lease;
    private readonly Dictionary<(string Subscriber, string? JobId), IActorRef> _subscriptions = [];
    private readonly Dictionary<IActorRef, (string Subscriber, string? JobId)> _subscriptionKeys = [];
    private long _subscriptionCount;

    public JobsApiActor(IActorRef scheduler, IActorRef jobs, IActorRef mediator, AuditLog audit, TimeSpan timeout, TimeSpan lease)
    {
        _scheduler = scheduler;
        _jobs = jobs;
        _mediator = mediator;
        _audit = audit;
        _timeout = timeout;
        _lease = lease;

        Receive<RegisterJob>(HandleRegisterJob);
        Receive<RemoveJob>(HandleRemoveJob);
        Receive<PauseJob>(HandlePauseJob);
        Receive<ResumeJob>(HandleResumeJob);
        Receive<TriggerJob>(HandleTriggerJob);
        Receive<RerunRun>(HandleRerunRun);
        Receive<CancelRun>(HandleCancelRun);
        Receive<GetJob>(HandleGetJob);
        Receive<ListJobs>(HandleListJobs);
        Receive<GetNextFireTimes>(HandleGetNextFireTimes);
        Receive<ListRuns>(HandleListRuns);
        Receive<GetRun>(HandleGetRun);
        Receive<ListAudit>(HandleListAudit);
        Receive<SubscribeRunEvents>(HandleSubscribeRunEvents);
        Receive<UnsubscribeRunEvents>(HandleUnsubscribeRunEvents);
        Receive<Terminated>(HandleSubscriptionEnded);
        ReceiveAny(HandleUnknown);
    }

    public static Props Props(IActorRef scheduler, IActorRef jobs, IActorRef mediator, AuditLog audit, TimeSpan? timeout = null, TimeSpan? lease = null) =>
        Akka.Actor.Props.Create(() => new JobsApiActor(scheduler, jobs, mediator, audit, timeout ?? TimeSpan.FromSeconds(10), lease ?? TimeSpan.FromSeconds(30)));

    /// <summary>
    /// A payload with nulls where none are expected must get an answer, not restart the actor and leave the sender
    /// waiting: whatever a handler throws becomes a rejection naming the message.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception ex)
        {
            Context.GetLogger().Warning("Actor API could not handle {0} from {1}: {2}", message.GetType().Name, Sender.Path, ex.Message);
            Sender.Tell(Invalid("", ("message", $"{message.GetType().Name} could not be handled: {ex.Message}")));
            return true;
        }
    }

    // ---- commands ------------------------------------------------------------------------------------------------

    private void HandleRegisterJob(RegisterJob m)
    {
        // A deserialized message may carry nulls the constructor's types do not admit.
        if (m.Definition is null)
        {
            RejectAudited("jobs.put", "", Invalid("", ("definition", "is required")));
            return;
        }
        var id = m.Definition.Id ?? "";
        var errors = DefinitionErrors(m.Definition);
        if (errors.Count > 0)
        {
            RejectAudited("jobs.put", Clip(id), new CommandRejected(Clip(id), RejectionKind.Invalid, errors));
            return;
        }
        AskAudited(_scheduler, m, id, "jobs.put", id);
    }

    private void HandleRemoveJob(RemoveJob m)
    {
        if (!CheckJobId(m.JobId, "jobs.remove")) return;
        AskAudited(_scheduler, m, m.JobId, "jobs.remove", m.JobId);
    }

    private void HandlePauseJob(PauseJob m)
    {
        if (!CheckJobId(m.JobId, "jobs.pause")) return;
        AskAudited(_scheduler, m with { By = ByOrSender(m.By) }, m.JobId, "jobs.pause", m.JobId);
    }

    private void HandleResumeJob(ResumeJob m)
    {
        if (!CheckJobId(m.JobId, "jobs.resume")) return;
        AskAudited(_scheduler, m with { By = ByOrSender(m.By) }, m.JobId, "jobs.resume", m.JobId);
    }

    private void HandleTriggerJob(TriggerJob m)
    {
        if (!CheckJobId(m.JobId, "jobs.trigger")) return;
        if (m.RerunOf is not null && RunIdError(m.JobId, m.RerunOf, "rerunOf") is { } bad)
        {
            RejectAudited("jobs.trigger", m.JobId, bad);
            return;
        }
        AskAudited(_scheduler, m with { By = ByOrSender(m.By) }, m.JobId, "jobs.trigger", m.JobId);
    }

    private void HandleRerunRun(RerunRun m)
    {
        if (!CheckJobId(m.JobId, "runs.rerun", Clip(m.RunId ?? ""))) return;
        if (RunIdError(m.JobId, m.RunId, "runId") is { } bad)
        {
            RejectAudited("runs.rerun", Clip(m.RunId ?? ""), bad);
            return;
        }
        AskAudited(_scheduler, new TriggerJob(m.JobId, RerunOf: m.RunId, By: ByOrSender(m.By), Tenants: m.Tenants), m.JobId, "runs.rerun", m.RunId!);
    }

    private void HandleCancelRun(CancelRun m)
    {
        if (!CheckJobId(m.JobId, "runs.cancel", Clip(m.RunId ?? ""))) return;
        if (RunIdError(m.JobId, m.RunId, "runId") is { } bad)
        {
            RejectAudited("runs.cancel", Clip(m.RunId ?? ""), bad);
            return;
        }
        AskAudited(_jobs, m with { By = ByOrSender(m.By) }, m.JobId, "runs.cancel", m.RunId!);
    }

    // ---- queries -------------------------------------------------------------------------------------------------

    private void HandleGetJob(GetJob m)
    {
        if (!CheckJobId(m.JobId)) return;
        AskAndReply(_scheduler, m, m.JobId);
    }

    private void HandleListJobs(ListJobs m) => AskAndReply(_scheduler, m, "");

    private void HandleGetNextFireTimes(GetNextFireTimes m)
    {
        if (!CheckJobId(m.JobId)) return;
        if (m.Count is < 1 or > MaxFireTimes)
        {
            Sender.Tell(Invalid(m.JobId, ("count", $"must be between 1 and {MaxFireTimes}, got {m.Count}")));
            return;
        }
        AskAndReply(_scheduler, m, m.JobId);
    }

    private void HandleListRuns(ListRuns m)
    {
        if (!CheckJobId(m.JobId)) return;
        if (m.Limit < 1)
        {
            Sender.Tell(Invalid(m.JobId, ("limit", $"must be 1 or more, got {m.Limit}")));
            return;
        }
        if (m.Incarnation is < 1)
        {
            Sender.Tell(Invalid(m.JobId, ("incarnation", $"must be a whole number from 1 (the job's first life), got {m.Incarnation}")));
            return;
        }
        var query = m with { Limit = Math.Min(m.Limit, MaxRunsPage) };
        ListRunsAsync(query).PipeTo(Sender);
    }

    /// <summary>As the HTTP API: the job must exist, and its creation time names the current incarnation.</summary>
    private async Task<object> ListRunsAsync(ListRuns query)
    {
        if (query.JobCreatedUtc is null)
        {
            var job = await AskOrUnavailable(_scheduler, new GetJob(query.JobId), query.JobId);
            if (job is not GetJobResult found) return job;
            if (found.Job is null) return CommandRejected.NotFound(query.JobId);
            query = query with { JobCreatedUtc = found.Job.CreatedUtc };
        }
        return await AskOrUnavailable(_jobs, query, query.JobId);
    }

    private void HandleGetRun(GetRun m)
    {
        if (!CheckJobId(m.JobId)) return;
        if (RunIdError(m.JobId, m.RunId, "runId") is { } bad)
        {
            Sender.Tell(bad);
            return;
        }
        AskAndReply(_jobs, m, m.JobId);
    }

    private void HandleListAudit(ListAudit m)
    {
        if (m.Limit < 1)
        {
            Sender.Tell(Invalid("", ("limit", $"must be 1 or more, got {m.Limit}")));
            return;
        }
        _audit.Store.ListAsync(m.SinceUtc, Math.Min(m.Limit, Persistence.Audit.AuditStore.MaxPage))
            .PipeTo(Sender, success: entries => new ListAuditResult(entries),
                failure: ex => new CommandRejected("", RejectionKind.Unavailable, [new ValidationError("audit", $"the audit log could not be read: {ex.Message}")]));
    }

    // ---- run event subscriptions ---------------------------------------------------------------------------------

    private void HandleSubscribeRunEvents(SubscribeRunEvents m)
    {
        if (m.JobId is not null && !JobDefinitionValidator.IsValidId(m.JobId))
        {
            Sender.Tell(Invalid(Clip(m.JobId), ("jobId", InvalidIdMessage(m.JobId))));
            return;
        }
        var key = (CallerOf(Sender), m.JobId);
        if (!_subscriptions.TryGetValue(key, out var subscription))
        {
            var topic = m.JobId is null ? RunTopics.Runs : RunTopics.ForJob(m.JobId);
            subscription = Context.ActorOf(RunEventsSubscription.Props(_mediator, topic, m.JobId, _lease), $"run-events-{++_subscriptionCount}");
            Context.Watch(subscription);
            _subscriptions[key] = subscription;
            _subscriptionKeys[subscription] = key;
        }
        subscription.Tell(new RunEventsSubscription.Renew(Sender));
    }

    private void HandleUnsubscribeRunEvents(UnsubscribeRunEvents m)
    {
        if (_subscriptions.TryGetValue((CallerOf(Sender), m.JobId), out var subscription))
            subscription.Tell(new RunEventsSubscription.End(Sender));
        else
            Sender.Tell(new RunEventsUnsubscribed(m.JobId));
    }

    private void HandleSubscriptionEnded(Terminated t)
    {
        if (_subscriptionKeys.Remove(t.ActorRef, out var key)) _subscriptions.Remove(key);
    }

    private void HandleUnknown(object message) =>
        Sender.Tell(Invalid("", ("message", $"{message.GetType().Name} is not a command of the jobs API")));

    // ---- asking, auditing, checking ------------------------------------------------------------------------------

    private void AskAndReply(IActorRef target, object message, string jobId) => AskOrUnavailable(target, message, jobId).PipeTo(Sender);

    private void AskAudited(IActorRef target, object command, string jobId, string action, string auditTarget)
    {
        var caller = CallerOf(Sender);
        AskAuditedAsync(target, command, jobId, action, auditTarget, caller).PipeTo(Sender);
    }

    private async Task<object> AskAuditedAsync(IActorRef target, object command, string jobId, string action, string auditTarget, string caller)
    {
        var reply = await AskOrUnavailable(target, command, jobId);
        await _audit.RecordAsync(caller, action, auditTarget, Outcome(reply), Via, CancellationToken.None);
        return reply;
    }

    private void RejectAudited(string action, string auditTarget, CommandRejected rejection)
    {
        var caller = CallerOf(Sender);
        RecordThenReply(caller, action, auditTarget, rejection).PipeTo(Sender);
    }

    private async Task<object> RecordThenReply(string caller, string action, string auditTarget, CommandRejected rejection)
    {
        await _audit.RecordAsync(caller, action, auditTarget, Outcome(rejection), Via, CancellationToken.None);
        return rejection;
    }

    private async Task<object> AskOrUnavailable(IActorRef target, object message, string jobId)
    {
        try
        {
            return await target.Ask<object>(message, _timeout);
        }
        catch (AskTimeoutException)
        {
            return new CommandRejected(jobId, RejectionKind.Unavailable, [new ValidationError("cluster", "the cluster did not answer in time")]);
        }
        catch (Exception ex)
        {
            return new CommandRejected(jobId, RejectionKind.Unavailable, [new ValidationError("cluster", $"the cluster could not answer: {ex.Message}")]);
        }
    }

    /// <summary>False (and the rejection sent, audited when <paramref name="action"/> mutates) for a missing or malformed job id.</summary>
    private bool CheckJobId(string? jobId, string? action = null, string? auditTarget = null)
    {
        if (JobDefinitionValidator.IsValidId(jobId)) return true;
        var rejection = Invalid(Clip(jobId ?? ""), ("jobId", InvalidIdMessage(jobId)));
        if (action is null) Sender.Tell(rejection);
        else RejectAudited(action, auditTarget ?? Clip(jobId ?? ""), rejection);
        return false;
    }

    private static CommandRejected? RunIdError(string jobId, string? runId, string field)
    {
        if (string.IsNullOrWhiteSpace(runId)) return Invalid(jobId, (field, "is required"));
        return RunIds.JobIdOf(runId) == jobId ? null : Invalid(jobId, (field, $"'{Clip(runId)}' is not a run of job '{jobId}'"));
    }

    private static List<ValidationError> DefinitionErrors(JobDefinition definition)
    {
        try
        {
            return [.. JobDefinitionValidator.Validate(definition).Select(e => e with { Field = "definition." + e.Field })];
        }
        catch (Exception ex) when (ex is NullReferenceException or ArgumentException or InvalidOperationException)
        {
            // A payload with null collections or parameters gets past deserialization but not past the checks.
            return [new ValidationError("definition", $"is malformed: {ex.Message}")];
        }
    }

    private static string InvalidIdMessage(string? id) => id is null
        ? "is required"
        : $"'{Clip(id)}' is not a valid job id: use 1-128 characters of a-z, 0-9, '-', '_', '.', starting with a letter or digit";

    private static CommandRejected Invalid(string jobId, params (string Field, string Message)[] errors) =>
        new(jobId, RejectionKind.Invalid, [.. errors.Select(e => new ValidationError(e.Field, e.Message))]);

    private string ByOrSender(string? by) => string.IsNullOrWhiteSpace(by) ? CallerOf(Sender) : by;

    /// <summary>
    /// The sender's path; for a cluster client the receptionist's response tunnel stands in for the client, and its
    /// name is the client actor's encoded path, which is what the audit log should show.
    /// </summary>
    internal static string CallerOf(IActorRef sender)
    {
        var path = sender.Path;
        if (path.Parent is { } parent && parent.Name == "receptionist" && parent.Parent is { Name: "system" })
            return Uri.UnescapeDataString(path.Name);
        return path.ToString();
    }

    private static string Outcome(object reply) => reply switch
    {
        CommandRejected r => $"rejected: {RejectionName(r.Kind)}: {string.Join("; ", r.Errors)}",
        _ => "ok",
    };

    private static string RejectionName(RejectionKind kind) => kind switch
    {
        RejectionKind.NotFound => "not found",
        RejectionKind.Conflict => "conflict",
        RejectionKind.Unavailable => "unavailable",
        _ => "invalid",
    };

    private static string Clip(string s) => s.Length <= 140 ? s : s[..140] + "…";
}
