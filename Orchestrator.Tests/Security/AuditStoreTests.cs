using Akka.Jobs.Persistence;
using Akka.Jobs.Persistence.Audit;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Security;

/// <summary>The audit table itself: order, since, clamping and retention, on SQLite and PostgreSQL.</summary>
public sealed class AuditStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Entries_come_back_newest_first_from_since_and_retention_deletes_only_older_ones(string database)
    {
        var db = database == "sqlite" ? TestDatabases.NewSqliteFile() : TestDatabases.NewPostgresDatabase();
        try
        {
            var store = new AuditStore(DatabaseTarget.Parse(db));
            for (var day = 0; day < 5; day++)
                await store.RecordAsync(T0.AddDays(day), $"caller-{day}", "jobs.trigger", $"job-{day}", "ok", "api");

            var all = await store.ListAsync(null, 100);
            Assert.Equal(["caller-4", "caller-3", "caller-2", "caller-1", "caller-0"], all.Select(e => e.Caller));
            Assert.Equal(T0.AddDays(4), all[0].AtUtc);
            Assert.Equal(["caller-4", "caller-3"], (await store.ListAsync(T0.AddDays(3), 100)).Select(e => e.Caller));
            Assert.Single(await store.ListAsync(null, 1));
            Assert.Equal(5, (await store.ListAsync(null, int.MaxValue)).Count);

            Assert.Equal(2, await store.PruneAsync(T0.AddDays(2)));
            Assert.Equal(["caller-4", "caller-3", "caller-2"], (await new AuditStore(DatabaseTarget.Parse(db)).ListAsync(null, 100)).Select(e => e.Caller));
        }
        finally
        {
            if (database == "sqlite") TestDatabases.DeleteSqliteFile(db);
        }
    }

    /// <summary>Entries recorded together are stored together (more than one statement's worth), each call completing once its own is stored.</summary>
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Concurrent_entries_are_all_stored_before_their_calls_complete(string database)
    {
        var db = database == "sqlite" ? TestDatabases.NewSqliteFile() : TestDatabases.NewPostgresDatabase();
        try
        {
            var store = new AuditStore(DatabaseTarget.Parse(db));
            var count = AuditStore.MaxBatch * 3 + 7;
            await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => store.RecordAsync(T0, $"caller-{i}", "jobs.put", $"job-{i}", "ok", "api"))));
            var stored = await store.ListAsync(null, AuditStore.MaxPage);
            Assert.Equal(Enumerable.Range(0, count).Select(i => $"caller-{i}").Order(), stored.Select(e => e.Caller).Order());

            // One caller's entries, one after the other, keep their order.
            for (var i = 0; i < 3; i++) await store.RecordAsync(T0.AddMinutes(1), "sequential", "jobs.put", $"step-{i}", "ok", "api");
            Assert.Equal(["step-2", "step-1", "step-0"], (await store.ListAsync(T0.AddMinutes(1), 10)).Select(e => e.Target));
        }
        finally
        {
            if (database == "sqlite") TestDatabases.DeleteSqliteFile(db);
        }
    }
}
