using Akka.Hosting;
using Akka.Persistence.Sql.Config;
using LinqToDB;
using LinqToDB.Data;
using Akka.Jobs.Domain.Jobs;
using Akka.Jobs.Actors.Jobs;

namespace Akka.Jobs.Persistence;

/// <summary>Journal, snapshot store and query plugin on Akka.Persistence.Sql (SQLite or PostgreSQL).</summary>
public static class JobsPersistenceHosting
{
    /// <summary>Configures Akka.Persistence.Sql for <paramref name="db"/>; tables are created on first start.</summary>
    public static AkkaConfigurationBuilder AddJobsPersistence(this AkkaConfigurationBuilder b, DatabaseTarget db)
    {
        if (db.IsSqlite) SqliteFile.Prepare(db.ConnectionString);
        var provider = Quote(db.ProviderName);
        // SQLite has one writer: concurrent journal writers would only queue on its lock.
        var parallelism = db.IsSqlite ? 1 : 4;
        var tagger = Quote(typeof(RunEventTagger).AssemblyQualifiedName!);
        var jobEvent = Quote($"{typeof(IJobEvent).FullName}, {typeof(IJobEvent).Assembly.GetName().Name}");
        var hocon = $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  provider-name = {{provider}}
                  auto-initialize = on
                  # Csv keeps tags in the journal row: tagged events are then written as one multi-row
                  # INSERT per batch. TagTable mode inserts tagged rows one statement each (it needs
                  # every row's generated id), which made every run cost several round trips.
                  tag-write-mode = Csv
                  parallelism = {{parallelism}}
                  # A burst of thousands of runs (all due at one instant) must queue, not be refused:
                  # a refused write stops the actor that wrote it and opens the circuit breaker.
                  buffer-size = 200000
                  # Rows per transaction; one commit then carries hundreds of runs' events.
                  batch-size = 1000
                  db-round-trip-max-batch-size = 1000
                  max-row-by-row-size = 8
                  event-adapters { run-tagger = {{tagger}} }
                  event-adapter-bindings { {{jobEvent}} = run-tagger }
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
              query.journal.sql {
                provider-name = {{provider}}
                tag-read-mode = Csv
              }
            }
            """;
        // The connection string reaches the journal, snapshot store and query plugin as linq2db DataOptions through a
        // Setup (the plugin's documented alternative to connection-string), so it is never in the HOCON, which
        // akka.log-config-on-start prints: a PostgreSQL password must not land in a log. provider-name stays there.
        var data = new DataOptions().UseConnectionString(db.ProviderName, db.ConnectionString);
        // Batches above max-row-by-row-size use the provider's bulk copy: for PostgreSQL that is made
        // binary COPY, instead of one multi-row INSERT with every value spelled out as SQL text
        // (a 500-row batch took ~50 ms that way, and each run waited for its batch).
        if (!db.IsSqlite) data = data.UsePostgreSQL(o => o with { BulkCopyType = BulkCopyType.ProviderSpecific });
        b.AddSetup(new DataOptionsSetup(data));
        return b
            .AddHocon(hocon, HoconAddMode.Prepend)
            .AddHocon(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration, HoconAddMode.Append)
            .WithActors((system, _) => system.ActorOf(JournalWarmup.Props(), "journal-warmup"));
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
