using Akka.Actor;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Contracts.Serialization;

namespace Akka.Jobs.Actors.Serialization;

/// <summary>Serializer for the journal events, snapshots and node-to-node messages of the pipeline.</summary>
public sealed class InternalSerializer(ExtendedActorSystem system) : JsonManifestSerializer(system, Table)
{
    public const int SerializerId = 7101;

    /// <summary>Type → manifest. Journals hold these strings: never change a published one.</summary>
    public static readonly IReadOnlyDictionary<Type, string> Table = new Dictionary<Type, string>
    {
        // node-to-node
        [typeof(Tick)] = "tick.v1",
        [typeof(TickAck)] = "tick-ack.v1",
        [typeof(WakeJob)] = "wake-job.v1",
        [typeof(JobIdle)] = "job-idle.v1",
        [typeof(NodeRemoved)] = "node-removed.v1",
        [typeof(RetireJob)] = "retire-job.v1",
        [typeof(AutoPauseJob)] = "auto-pause-job.v1",
        [typeof(CheckDue)] = "check-due.v1",
        // v2: the job actor hands out the attempt (and its not-before time) and decides retries; workers report raw outcomes
        [typeof(ExecuteWork)] = "execute-work.v2",
        [typeof(CancelWork)] = "cancel-work.v1",
        [typeof(WorkRecorded)] = "work-recorded.v1",
        [typeof(WorkStarted)] = "work-started.v1",
        [typeof(WorkHeartbeat)] = "work-heartbeat.v1",
        [typeof(WorkSucceeded)] = "work-succeeded.v1",
        [typeof(WorkFailed)] = "work-failed.v2",
        [typeof(WorkTimedOut)] = "work-timed-out.v1",
        [typeof(WorkCancelled)] = "work-cancelled.v1",
        // job actor journal
        [typeof(DefinitionAdopted)] = "definition-adopted.v1",
        [typeof(RunAccepted)] = "run-accepted.v1",
        [typeof(RunSkipped)] = "run-skipped.v1",
        [typeof(RunStarted)] = "run-started.v1",
        [typeof(AttemptFailed)] = "attempt-failed.v1",
        [typeof(ItemSucceeded)] = "item-succeeded.v1",
        [typeof(RunFinished)] = "run-finished.v1",
        [typeof(RunResumed)] = "run-resumed.v1",
        [typeof(JobRetired)] = "job-retired.v1",
        [typeof(JobIncarnated)] = "job-incarnated.v1",
        [typeof(JobState)] = "job-state-snapshot.v1",
        // scheduler journal
        [typeof(JobDefined)] = "job-defined.v1",
        [typeof(JobUndefined)] = "job-undefined.v1",
        [typeof(JobPaused)] = "job-paused.v1",
        [typeof(JobResumed)] = "job-resumed.v1",
        [typeof(WatermarksAdvanced)] = "watermarks-advanced.v1",
        [typeof(SchedulerState)] = "scheduler-state-snapshot.v1",
    };

    public override int Identifier => SerializerId;
}
