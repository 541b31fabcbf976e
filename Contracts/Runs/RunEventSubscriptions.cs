namespace Akka.Jobs.Contracts.Runs;

/// <summary>
/// Ask the jobs API actor (<c>/user/jobs-api</c>, e.g. through a <c>ClusterClient</c>) to forward the
/// <see cref="RunStatusChanged"/> events of <paramref name="JobId"/> (of every job when null) to the sender. Reply:
/// <see cref="RunEventsSubscribed"/> once the subscription is in place, so a run triggered after it is seen from its
/// first event. The subscription is a lease: it ends <see cref="RunEventsSubscribed.Lease"/> after the sender's last
/// <see cref="SubscribeRunEvents"/> for the same job, so send it again well within the lease (a third of it is safe);
/// a client that vanishes leaves nothing behind. Members of the cluster subscribe to <see cref="RunTopics"/> directly.
/// </summary>
public sealed record SubscribeRunEvents(string? JobId = null) : IJobsMessage;

/// <summary>The subscription of the sender to <paramref name="JobId"/>'s run events (every job's when null) holds for <paramref name="Lease"/>.</summary>
public sealed record RunEventsSubscribed(string? JobId, TimeSpan Lease) : IJobsMessage;

/// <summary>End the sender's subscription to <paramref name="JobId"/>'s run events. Reply: <see cref="RunEventsUnsubscribed"/>.</summary>
public sealed record UnsubscribeRunEvents(string? JobId = null) : IJobsMessage;

/// <summary>No more events of <paramref name="JobId"/> (every job when null) go to the sender.</summary>
public sealed record RunEventsUnsubscribed(string? JobId) : IJobsMessage;
