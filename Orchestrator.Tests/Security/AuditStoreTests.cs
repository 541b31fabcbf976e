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
}
