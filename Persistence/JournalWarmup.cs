using Akka.Actor;
using Akka.Persistence;

namespace Akka.Jobs.Persistence;

/// <summary>
/// Recovers a persistence id that is never written, once when the node starts, then stops. The first
/// recovery in a process compiles the journal's and snapshot store's queries; without this, that cost
/// fell on the scheduler or a job actor that takes over after a fail-over.
/// </summary>
public sealed class JournalWarmup : ReceivePersistentActor
{
    public const string Id = "akka-jobs-warmup";

    public JournalWarmup()
    {
        Recover<RecoveryCompleted>(_ => Context.Stop(Self));
        Recover<object>(_ => { });
        Command<object>(_ => { });
    }

    public override string PersistenceId => Id;

    public static Props Props() => Akka.Actor.Props.Create(() => new JournalWarmup());
}
