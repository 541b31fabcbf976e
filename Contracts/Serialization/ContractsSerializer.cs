using Akka.Actor;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;

namespace Akka.Jobs.Contracts.Serialization;

/// <summary>Serializer for the public protocol; services that talk to Akka.Jobs bind it too.</summary>
public sealed class ContractsSerializer(ExtendedActorSystem system) : JsonManifestSerializer(system, Table)
{
    /// <summary>Serializer id; unique across the cluster's serializers.</summary>
    public const int SerializerId = 7100;

    /// <summary>Type → manifest. Never change a published manifest.</summary>
    public static readonly IReadOnlyDictionary<Type, string> Table = new Dictionary<Type, string>
    {
        [typeof(RegisterJob)] = "register-job.v1",
        [typeof(RemoveJob)] = "remove-job.v1",
        [typeof(PauseJob)] = "pause-job.v1",
        [typeof(ResumeJob)] = "resume-job.v1",
        [typeof(TriggerJob)] = "trigger-job.v1",
        [typeof(CommandAck)] = "command-ack.v1",
        [typeof(CommandRejected)] = "command-rejected.v1",
        [typeof(GetJob)] = "get-job.v1",
        [typeof(GetJobResult)] = "get-job-result.v1",
        [typeof(ListJobs)] = "list-jobs.v1",
        [typeof(ListJobsResult)] = "list-jobs-result.v1",
        [typeof(GetNextFireTimes)] = "get-next-fire-times.v1",
        [typeof(GetNextFireTimesResult)] = "get-next-fire-times-result.v1",
        [typeof(ListRuns)] = "list-runs.v1",
        [typeof(ListRunsResult)] = "list-runs-result.v1",
        [typeof(RunStatusChanged)] = "run-status-changed.v1",
        [typeof(RerunRun)] = "rerun-run.v1",
        [typeof(CancelRun)] = "cancel-run.v1",
        [typeof(GetRun)] = "get-run.v1",
        [typeof(GetRunResult)] = "get-run-result.v1",
        [typeof(Audit.ListAudit)] = "list-audit.v1",
        [typeof(Audit.ListAuditResult)] = "list-audit-result.v1",
        [typeof(SubscribeRunEvents)] = "subscribe-run-events.v1",
        [typeof(RunEventsSubscribed)] = "run-events-subscribed.v1",
        [typeof(UnsubscribeRunEvents)] = "unsubscribe-run-events.v1",
        [typeof(RunEventsUnsubscribed)] = "run-events-unsubscribed.v1",
    };

    /// <inheritdoc />
    public override int Identifier => SerializerId;
}
