using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Domain.Protocol;

namespace Akka.Jobs.Tests.Infrastructure;

/// <summary>Shorthands for unit tests of <see cref="JobState"/>.</summary>
internal static class JobStateDecisions
{
    /// <summary>
    /// <see cref="JobState.DecideFailed"/> for a failure whose attempt is the highest handed out, decided at its failure
    /// time with a seeded random source (tests set jitter to 0 or do not look at the instant).
    /// </summary>
    public static IReadOnlyList<IJobEvent> DecideFailed(this JobState state, WorkFailed failed) =>
        state.DecideFailed(failed, failed.Attempt, failed.FailedUtc, new Random(7));
}
