using System.Net;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>Jobs and run history stored through the API survive a node restart, on SQLite and PostgreSQL.</summary>
public sealed class NodeRestartApiTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Jobs_and_runs_survive_a_restart(string database)
    {
        var db = database == "sqlite" ? TestDatabases.NewSqliteFile() : TestDatabases.NewPostgresDatabase();
        try
        {
            string runId;
            await using (var first = await TestNode.StartAsync(db))
            {
                Assert.Equal(HttpStatusCode.Created, (await first.Http.PutJob("durable", """{"schedule":"*/15 * * * *","handler":"noop","description":"kept"}""")).Status);
                Assert.Equal(HttpStatusCode.OK, (await first.Http.Post("/api/jobs/durable/pause")).Status);
                runId = await first.Http.Trigger("durable");
                Assert.Equal("succeeded", (await first.Http.WaitForRunEnd("durable", runId)).Str("status"));
            }

            await using var second = await TestNode.StartAsync(db);
            // The audit log is in the same database: the first node's calls are still listed, newest first.
            var (auditStatus, audit) = await second.Http.Get("/api/audit");
            Assert.Equal(HttpStatusCode.OK, auditStatus);
            Assert.Equal(["anonymous jobs.trigger durable ok", "anonymous jobs.pause durable ok", "anonymous jobs.put durable ok"],
                audit.GetProperty("entries").EnumerateArray().Select(e => $"{e.Str("caller")} {e.Str("action")} {e.Str("target")} {e.Str("outcome")}"));

            var (status, job) = await second.Http.Get("/api/jobs/durable");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("kept", job.GetProperty("definition").Str("description"));
            Assert.True(job.GetProperty("paused").GetBoolean(), job.ToString());
            var run = await second.Http.WaitForRunEnd("durable", runId);
            Assert.Equal("succeeded", run.Str("status"));
            Assert.Equal(1, run.GetProperty("attempts").GetInt32());
            Assert.Equal(HttpStatusCode.OK, (await second.Http.PutJob("durable", """{"schedule":"*/15 * * * *","handler":"noop","description":"kept"}""")).Status);
        }
        finally
        {
            if (database == "sqlite") TestDatabases.DeleteSqliteFile(db);
        }
    }
}
