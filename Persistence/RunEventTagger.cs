using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Actors.Jobs;
using Akka.Persistence.Journal;

namespace Akka.Jobs.Persistence;

/// <summary>Tags every job actor event <c>run</c> so the run-history projection can follow them with EventsByTag.</summary>
public sealed class RunEventTagger : IWriteEventAdapter
{
    private static readonly System.Collections.Immutable.ImmutableHashSet<string> Tags = [JobEventTags.Run];

    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => evt is IJobEvent ? new Tagged(evt, Tags) : evt;
}
