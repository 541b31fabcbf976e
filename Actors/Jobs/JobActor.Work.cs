using Akka.Actor;
using Akka.Event;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Domain.Protocol;

namespace Akka.Jobs.Actors.Jobs;

/// <summary>
/// The job actor's side of the work: what workers report is handed to the job state's decisions, and the decisions
/// are carried out here (dispatch of items up to max-parallel, retries with their attempt number and not-before time,
/// the run's deadline timer, leases of items in flight and what happens when a worker goes silent or its node leaves).
/// </summary>
public sealed partial class JobActor
{
    private void HandleWorkStarted(WorkStarted w) => Heard(w.RunId, w.ItemKey, w.Attempt, w.Node);

    private void HandleWorkHeartbeat(WorkHeartbeat w) => Heard(w.RunId, w.ItemKey, w.Attempt, w.Node);

    private void HandleWorkSucceeded(WorkSucceeded w) => PersistAndApply(_decided.DecideSucceeded(w));

    /// <summary>The decision (retry or final) reads the highest attempt number handed out for the item.</summary>
    private void HandleWorkFailed(WorkFailed w)
    {
        Heard(w.RunId, w.ItemKey, w.Attempt, w.Node);
        var handedOut = _inFlight.TryGet(w.RunId, w.ItemKey, out var lease) ? lease.Attempt : w.Attempt;
        PersistAndApply(_decided.DecideFailed(w, handedOut, Now, _random));
    }

    private void HandleWorkTimedOut(WorkTimedOut w) => PersistAndApply(_decided.DecideTimedOut(w));

    private void HandleWorkCancelled(WorkCancelled w)
    {
        _inFlight.Remove(w.RunId, w.ItemKey);
        PersistAndApply(_decided.DecideCancelled(w, "cancelled: node shutting down"));
    }

    private void HandleRunDeadline(RunDeadline d) => PersistAndApply(_decided.DecideTimeout(d.RunId, Now));

    /// <summary>
    /// Carries out a recorded retry decision: the attempt number and not-before instant come from the event. The
    /// item keeps its place among those in flight while it waits; an item whose lease is gone is dispatched again from
    /// the queue, which honours the same not-before instant (the item state keeps it).
    /// </summary>
    private void Retry(AttemptFailed f)
    {
        if (!_state.Active.TryGetValue(f.RunId, out var run) || run.Queued || _state.Definition is not { } def) return;
        if (!_inFlight.TryGet(f.RunId, f.ItemKey, out var lease))
        {
            _inFlight.Requeue(f.RunId, f.ItemKey);
            Dispatch(f.RunId);
            return;
        }
        var attempt = f.NextAttempt ?? run.Items[f.ItemKey].Attempt + 1;
        // Not before the backoff, nor before the run's own time (a run prepared ahead whose attempt failed early).
        var notBefore = Later(f.RetryNotBeforeUtc, run.StartedUtc) is { } t && t > Now ? t : (DateTimeOffset?)null;
        // No node until the worker confirms: a retry that does not reach its worker is sent again, as a first dispatch is.
        _inFlight.Set(f.RunId, f.ItemKey, lease with { Attempt = attempt, LastHeardUtc = Now, Node = null, NotBeforeUtc = notBefore });
        _workers.Tell(new ExecuteWork(_jobId, f.RunId, f.ItemKey, attempt, run.ScheduledUtc, Deadline(run, def), WorkDefinition(def), notBefore));
    }

    private DateTimeOffset Deadline(RunState run, JobDefinition def) => (run.StartedUtc ?? Now) + def.Timeout;

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>Dispatches waiting items of the run until max-parallel are in flight; O(1) per item dispatched.</summary>
    private void Dispatch(string runId)
    {
        if (!_state.Active.TryGetValue(runId, out var run) || run.Queued || _state.Definition is not { } def) return;
        var deadline = Deadline(run, def);
        // A run prepared ahead starts at its scheduled time: its worker waits for it.
        var runNotBefore = run.StartedUtc > Now ? run.StartedUtc : null;
        while (_inFlight.TryNext(runId, def.MaxParallel, k => !run.Items[k].Done, out var key))
        {
            var item = run.Items[key];
            var next = item.Attempt + 1;
            // A retry decided before (e.g. before a fail-over) still waits for its backoff.
            var notBefore = item.RetryNotBeforeUtc > Now ? Later(item.RetryNotBeforeUtc, runNotBefore) : runNotBefore;
            _inFlight.Set(runId, key, new WorkLease(next, Now, null, notBefore));
            _workers.Tell(new ExecuteWork(_jobId, runId, key, next, run.ScheduledUtc, deadline, WorkDefinition(def), notBefore));
            if (!Timers.IsTimerActive("lease-check"))
                Timers.StartPeriodicTimer("lease-check", LeaseCheck.Instance, _settings.HeartbeatInterval);
        }
    }

    private void ArmDeadline(RunState run)
    {
        if (_state.Definition is not { } def || run.StartedUtc is not { } started) return;
        var due = started + def.Timeout - Now;
        Timers.StartSingleTimer(DeadlineKey(run.RunId), new RunDeadline(run.RunId), due > TimeSpan.Zero ? due : TimeSpan.Zero);
    }

    /// <summary>A running run shows the attempt in progress and its node, which are not persisted until the outcome.</summary>
    private RunView WithLiveAttempt(RunView view)
    {
        if (view.Status != RunStatus.Running) return view;
        var live = _inFlight.Of(view.RunId).Values.Where(l => l.Node is not null).ToList();
        return live.Count == 0 ? view : view with { Attempts = Math.Max(view.Attempts, live.Max(w => w.Attempt)), Node = live[^1].Node };
    }

    private void Heard(string runId, string item, int attempt, string node)
    {
        // Any report shows the worker alive; only one about the attempt handed out last confirms that it arrived (a late
        // report of an earlier attempt must not stop an unconfirmed retry from being sent again).
        if (_inFlight.TryGet(runId, item, out var lease))
            _inFlight.Set(runId, item, lease with { Attempt = Math.Max(lease.Attempt, attempt), LastHeardUtc = Now, Node = attempt >= lease.Attempt ? node : lease.Node });
    }

    /// <summary>
    /// The item's outcome is durable: drop its lease and tell its worker, which no longer needs to remember
    /// the outcome and can leave memory (a 100,000-item run would otherwise keep 100,000 idle workers).
    /// </summary>
    private void Recorded(string runId, string item)
    {
        if (_inFlight.Remove(runId, item)) _workers.Tell(new WorkRecorded(_jobId, runId, item));
    }

    /// <summary>
    /// The definition as sent with each work item, without the entity list: a worker needs only its own
    /// item key, and a 100,000-entry list in every ExecuteWork would make a fan-out's traffic quadratic.
    /// </summary>
    private JobDefinition WorkDefinition(JobDefinition def)
    {
        if (!ReferenceEquals(def, _workDefinitionOf))
        {
            _workDefinitionOf = def;
            _workDefinition = def.Entities.Count == 0 ? def : def with { Entities = [] };
        }
        return _workDefinition!;
    }

    /// <summary>
    /// An item whose worker has not been heard of for a whole lease is presumed lost with its node:
    /// the attempt is recorded as failed (kind <c>lost</c>) and the item dispatched again.
    /// </summary>
    private void HandleLeaseCheck(LeaseCheck _)
    {
        if (_inFlight.Count == 0)
        {
            Timers.Cancel("lease-check");
            return;
        }
        var leases = _inFlight.All.ToList();
        var now = Now;
        // Dispatched but never started: the message may have gone to a shard home that just died.
        // Sending it again is safe: a worker ignores work for a run it already has.
        foreach (var (runId, item, lease) in leases.Where(l => l.Lease.Node is null && now - l.Lease.LastHeardUtc >= 2 * _settings.HeartbeatInterval))
        {
            if (!_state.Active.TryGetValue(runId, out var run) || _state.Definition is not { } def) continue;
            _inFlight.Set(runId, item, lease with { LastHeardUtc = now });
            _workers.Tell(new ExecuteWork(_jobId, runId, item, lease.Attempt, run.ScheduledUtc, Deadline(run, def), WorkDefinition(def), lease.NotBeforeUtc));
        }
        foreach (var (runId, item, lease) in leases.Where(l => l.Lease.Node is not null && now - l.Lease.LastHeardUtc > _settings.WorkLease))
            Lost(runId, item, lease, now, $"no heartbeat from its worker for {_settings.WorkLease}");
    }

    /// <summary>
    /// A node left the cluster (downed or crashed): its work is lost now, not a work-lease later. This
    /// matters most for runs prepared ahead, which are in flight on their worker before their time.
    /// </summary>
    private void HandleNodeRemoved(NodeRemoved removed)
    {
        var now = Now;
        foreach (var (runId, item, lease) in _inFlight.All.Where(l => l.Lease.Node == removed.Node).ToList())
            Lost(runId, item, lease, now, $"its node {removed.Node} left the cluster");
    }

    private void Lost(string runId, string item, WorkLease lease, DateTimeOffset now, string why)
    {
        _inFlight.Remove(runId, item);
        _log.Warning("Work lost job={0} run={1} item={2} attempt={3} node={4}: {5}", _jobId, runId, item, lease.Attempt, lease.Node ?? "?", why);
        PersistAndApply(_decided.DecideLost(runId, item, lease.Attempt, lease.Node, lease.LastHeardUtc, now, why));
    }

    private sealed class LeaseCheck : IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static readonly LeaseCheck Instance = new();
    }

    private sealed record RunDeadline(string RunId) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;
}
