namespace Akka.Jobs.Contracts;

/// <summary>
/// Marker for every message and event that crosses nodes or is persisted; bound to the
/// Akka.Jobs serializers so nothing relies on CLR type names.
/// </summary>
public interface IJobsMessage;

/// <summary>A message about one job; routes to that job's actor.</summary>
public interface IWithJobId : IJobsMessage
{
    /// <summary>The job the message concerns.</summary>
    string JobId { get; }
}
