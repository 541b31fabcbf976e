using Akka.Actor;
using Akka.Jobs.Persistence;
using Akka.Jobs.Tests.Infrastructure;
using Akka.Persistence;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Unit;

public sealed class JournalWarmupTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(InMemoryPersistence.Config, output: output)
{
    [Fact]
    public void Warmup_recovers_and_stops_without_writing()
    {
        var warmup = Sys.ActorOf(JournalWarmup.Props());
        Watch(warmup);
        ExpectTerminated(warmup, TimeSpan.FromSeconds(10));

        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        journal.Tell(new ReplayMessages(0, long.MaxValue, long.MaxValue, JournalWarmup.Id, TestActor), TestActor);
        Assert.Equal(0, ExpectMsg<RecoverySuccess>(TimeSpan.FromSeconds(10)).HighestSequenceNr);
    }
}
