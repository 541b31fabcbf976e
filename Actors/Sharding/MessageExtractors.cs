using Akka.Cluster.Sharding;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Contracts;

namespace Akka.Jobs.Actors.Sharding;

/// <summary>Routes <see cref="IWithJobId"/> messages to the job actor entity of their job.</summary>
public sealed class JobMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => message switch
    {
        IWithJobId m => m.JobId,
        _ => null,
    };
}

/// <summary>Routes <see cref="IWithWorkItem"/> messages to the worker entity of their (job, item).</summary>
public sealed class WorkerMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    /// <summary>The entity id of a (job, item); '|' cannot occur in either part.</summary>
    public static string EntityIdOf(string jobId, string itemKey) => $"{jobId}|{itemKey}";

    public override string? EntityId(object message) => message switch
    {
        IWithWorkItem m => EntityIdOf(m.JobId, m.ItemKey),
        _ => null,
    };
}
