using Akka.Configuration;

namespace Akka.Jobs.Tests.Infrastructure;

/// <summary>TestKit configuration with Akka's in-memory journal and snapshot store.</summary>
public static class InMemoryPersistence
{
    public static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);
}
