using Akka.Hosting;
using Akka.Jobs.Actors.Supervision;

namespace Akka.Jobs.Persistence;

/// <summary>Journal, snapshot store and query plugin on Akka.Persistence.Sql (SQLite or PostgreSQL).</summary>
public static class JobsPersistenceHosting
{
    /// <summary>Configures Akka.Persistence.Sql for <paramref name="db"/>; tables are created on first start.</summary>
    public static AkkaConfigurationBuilder AddJobsPersistence(this AkkaConfigurationBuilder b, DatabaseTarget db)
    {
        if (db.IsSqlite) SqliteFile.Prepare(db.ConnectionString);
        var cs = Quote(db.ConnectionString);
        var provider = Quote(db.ProviderName);
        // SQLite has one writer: concurrent journal writers would only queue on its lock.
        var parallelism = db.IsSqlite ? 1 : 3;
        var tagger = Quote(typeof(RunEventTagger).AssemblyQualifiedName!);
        var jobEvent = Quote($"{typeof(IJobEvent).FullName}, {typeof(IJobEvent).Assembly.GetName().Name}");
        var hocon = $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = on
                  tag-write-mode = TagTable
                  parallelism = {{parallelism}}
                  event-adapters { run-tagger = {{tagger}} }
                  event-adapter-bindings { {{jobEvent}} = run-tagger }
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
              query.journal.sql {
                connection-string = {{cs}}
                provider-name = {{provider}}
                tag-read-mode = TagTable
              }
            }
            """;
        return b
            .AddHocon(hocon, HoconAddMode.Prepend)
            .AddHocon(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration, HoconAddMode.Append)
            .WithActors((system, _) => system.ActorOf(JournalWarmup.Props(), "journal-warmup"));
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
