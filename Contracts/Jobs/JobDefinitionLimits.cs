namespace Akka.Jobs.Contracts.Jobs;

/// <summary>
/// Upper bounds of a job definition's fields. A definition travels whole inside cluster messages (RegisterJob,
/// JobView replies) and is stored in every JobRegistered event, so each field is bounded and so is the whole.
/// </summary>
public static class JobDefinitionLimits
{
    /// <summary>
    /// Default size of a definition serialized as it crosses the cluster. Akka's remoting drops a message larger than
    /// its frame (<c>akka.remote.dot-netty.tcp.maximum-frame-size</c>, 128,000 bytes by default) without an error to
    /// the sender, and a JobView reply adds to the definition; half the frame leaves room for that envelope.
    /// </summary>
    public const int DefaultMaxSerializedBytes = 64 * 1024;

    /// <summary>Characters of the description.</summary>
    public const int MaxDescription = 2_000;
    /// <summary>Tags of one job.</summary>
    public const int MaxTags = 32;
    /// <summary>Characters of one tag.</summary>
    public const int MaxTag = 64;
    /// <summary>Characters of the tenant.</summary>
    public const int MaxTenant = 64;
    /// <summary>Characters of the time zone id (IANA ids are at most about 30).</summary>
    public const int MaxTimeZone = 64;
    /// <summary>Characters of the schedule expression.</summary>
    public const int MaxSchedule = 256;
    /// <summary>Fan-out items of a static list; the serialized size bounds it further unless the node raises it.</summary>
    public const int MaxEntities = 100_000;
    /// <summary>Characters of one entity key.</summary>
    public const int MaxEntityKey = 256;
    /// <summary>Serialized parameters; they are also inside the definition's serialized size.</summary>
    public const int MaxParametersBytes = 32 * 1024;
    /// <summary>Nesting of the parameters object: handlers read flat settings; deep nesting only costs recursion.</summary>
    public const int MaxParametersDepth = 16;
    /// <summary>Entries of retry.nonRetryable.</summary>
    public const int MaxNonRetryable = 32;
    /// <summary>Characters of one non-retryable error kind.</summary>
    public const int MaxNonRetryableKind = 64;
    /// <summary>Upper bound of alertAfter and pauseAfter.</summary>
    public const int MaxFailureCount = 10_000;
    /// <summary>Upper bound of retry.initialBackoff and retry.maxBackoff.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromDays(1);
}
