using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>The <c>/api/jobs</c> endpoints of a real node over HTTP. Every test uses its own job ids.</summary>
public sealed class JobsApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private HttpClient Http => fixture.Node.Http;

    private static string Noop(string schedule = "manual") => $$"""{"schedule":"{{schedule}}","handler":"noop"}""";

    [Fact]
    public async Task Put_creates_then_updates_and_identical_put_is_not_a_change()
    {
        var (status, body) = await Http.PutJob("crud-a", """{"schedule":"*/15 * * * *","handler":"noop","overlap":"buffer-one","tags":["t1"]}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("crud-a", body.Str("jobId"));
        Assert.True(body.GetProperty("created").GetBoolean());

        (status, body) = await Http.PutJob("crud-a", """{"schedule":"*/15 * * * *","handler":"noop","overlap":"buffer-one","tags":["t1"]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("created").GetBoolean());

        (status, body) = await Http.PutJob("crud-a", """{"schedule":"0 * * * *","handler":"noop","overlap":"buffer-one","description":"hourly now"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("created").GetBoolean());

        var (getStatus, job) = await Http.Get("/api/jobs/crud-a");
        Assert.Equal(HttpStatusCode.OK, getStatus);
        var d = job.GetProperty("definition");
        Assert.Equal("crud-a", d.Str("id"));
        Assert.Equal("0 * * * *", d.Str("schedule"));
        Assert.Equal("hourly now", d.Str("description"));
        Assert.Equal("UTC", d.Str("timeZone"));
        Assert.Equal("buffer-one", d.Str("overlap"));
        Assert.Equal("fire-once", d.Str("misfire"));
        Assert.Equal(3, d.GetProperty("retry").GetProperty("maxAttempts").GetInt32());
        Assert.False(job.GetProperty("paused").GetBoolean());
        Assert.Equal(JsonValueKind.String, job.GetProperty("nextFireUtc").ValueKind);
    }

    [Fact]
    public async Task List_returns_stored_jobs_ordered_by_id()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("list-b", Noop())).Status);
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("list-a", Noop("hourly"))).Status);

        var (status, jobs) = await Http.Get("/api/jobs");
        Assert.Equal(HttpStatusCode.OK, status);
        var ids = jobs.EnumerateArray().Select(j => j.GetProperty("definition").Str("id")).ToList();
        Assert.Contains("list-a", ids);
        Assert.Contains("list-b", ids);
        Assert.True(ids.IndexOf("list-a") < ids.IndexOf("list-b"), string.Join(",", ids));
        var a = jobs.EnumerateArray().Single(j => j.GetProperty("definition").Str("id") == "list-a");
        Assert.Equal("hourly", a.GetProperty("definition").Str("schedule"));
    }

    [Theory]
    [InlineData("GET", "/api/jobs/nope-{0}")]
    [InlineData("DELETE", "/api/jobs/nope-{0}")]
    [InlineData("POST", "/api/jobs/nope-{0}/trigger")]
    [InlineData("POST", "/api/jobs/nope-{0}/pause")]
    [InlineData("POST", "/api/jobs/nope-{0}/resume")]
    [InlineData("GET", "/api/jobs/nope-{0}/runs")]
    [InlineData("GET", "/api/jobs/nope-{0}/next")]
    public async Task Unknown_job_is_404(string method, string pathFormat)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (status, body) = await Http.Send(new HttpMethod(method), string.Format(CultureInfo.InvariantCulture, pathFormat, id));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("id", body.Str("field"));
        Assert.Contains($"nope-{id}", body.Str("error"));
    }

    public static TheoryData<string, string, string> InvalidDefinitions => new()
    {
        { "bad-cron", """{"schedule":"61 * * * *","handler":"noop"}""", "schedule" },
        { "bad-cron-text", """{"schedule":"every now and then","handler":"noop"}""", "schedule" },
        { "unknown-handler", """{"schedule":"manual","handler":"no-such-handler"}""", "handler" },
        { "unknown-zone", """{"schedule":"0 3 * * *","timeZone":"Mars/Olympus_Mons","handler":"noop"}""", "timeZone" },
        { "negative-attempts", """{"schedule":"manual","handler":"noop","retry":{"maxAttempts":-1}}""", "retry.maxAttempts" },
        { "shell-no-command", """{"schedule":"manual","handler":"shell","parameters":{"args":["-c","true"]}}""", "parameters.command" },
        { "shell-bad-args", """{"schedule":"manual","handler":"shell","parameters":{"command":"/bin/sh","args":"-c true"}}""", "parameters.args" },
        { "unknown-overlap", """{"schedule":"manual","handler":"noop","overlap":"sometimes"}""", "overlap" },
        { "body-id-mismatch", """{"id":"other","schedule":"manual","handler":"noop"}""", "id" },
    };

    [Theory]
    [MemberData(nameof(InvalidDefinitions))]
    public async Task Invalid_definition_is_400_naming_the_field_and_changes_nothing(string name, string json, string field)
    {
        var existing = $"inv-{name}";
        var (status, _) = await Http.PutJob(existing, """{"schedule":"@every 1h","handler":"noop","description":"original"}""");
        Assert.Equal(HttpStatusCode.Created, status);

        // Replacing an existing job: refused, the stored definition stays.
        var (badStatus, error) = await Http.PutJob(existing, json);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Equal(field, error.Str("field"));
        Assert.False(string.IsNullOrWhiteSpace(error.Str("error")), error.ToString());
        Assert.Contains(error.GetProperty("errors").EnumerateArray(), e => e.Str("field") == field);
        await AssertOriginal(existing);

        // Creating a new job: refused, nothing appears.
        var fresh = $"new-{name}";
        (badStatus, error) = await Http.PutJob(fresh, json.Replace("\"other\"", "\"other2\""));
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Equal(field, error.Str("field"));
        await AssertAbsent(fresh);
    }

    [Fact]
    public async Task Malformed_json_is_400_on_body()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("malformed", """{"schedule":"@every 1h","handler":"noop","description":"original"}""")).Status);

        foreach (var bad in new[] { """{"schedule":"manual","handler":""", "not json", "" })
        {
            var (status, error) = await Http.PutJob("malformed", bad);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("body", error.Str("field"));
        }
        var (arrayStatus, arrayError) = await Http.PutJob("malformed", "[1,2]");
        Assert.Equal(HttpStatusCode.BadRequest, arrayStatus);
        Assert.Equal("body", arrayError.Str("field"));

        await AssertOriginal("malformed");
        var (newStatus, _) = await Http.PutJob("malformed-new", "{");
        Assert.Equal(HttpStatusCode.BadRequest, newStatus);
        await AssertAbsent("malformed-new");
    }

    [Theory]
    [InlineData("Upper-Case")]
    [InlineData("-starts-with-dash")]
    [InlineData("has%20space")]
    [InlineData("slash%2Finside")]
    public async Task Bad_id_in_path_is_400_on_id(string id)
    {
        var (status, error) = await Http.PutJob(id, Noop());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("id", error.Str("field"));

        var (listStatus, jobs) = await Http.Get("/api/jobs");
        Assert.Equal(HttpStatusCode.OK, listStatus);
        var decoded = Uri.UnescapeDataString(id);
        Assert.DoesNotContain(jobs.EnumerateArray(), j => j.GetProperty("definition").Str("id") == decoded);
    }

    [Fact]
    public async Task Delete_is_204_then_404()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("to-delete", Noop("@every 1h"))).Status);

        var (status, _) = await Http.Send(HttpMethod.Delete, "/api/jobs/to-delete");
        Assert.Equal(HttpStatusCode.NoContent, status);
        await AssertAbsent("to-delete");
        (status, _) = await Http.Send(HttpMethod.Delete, "/api/jobs/to-delete");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await Http.Post("/api/jobs/to-delete/trigger");
        Assert.Equal(HttpStatusCode.NotFound, status);

        // The id can be used again afterwards.
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("to-delete", Noop())).Status);
    }

    [Fact]
    public async Task Trigger_is_202_and_the_run_succeeds()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("trigger-me", Noop())).Status);

        var runId = await Http.Trigger("trigger-me");
        Assert.Matches(new Regex(@"^trigger-me@\d{8}T\d{6}\.\d{3}Z$"), runId);

        var run = await Http.WaitForRunEnd("trigger-me", runId);
        Assert.Equal("succeeded", run.Str("status"));
        Assert.Equal("manual", run.Str("trigger"));
        Assert.Equal("trigger-me", run.Str("jobId"));
        Assert.Equal(1, run.GetProperty("attempts").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(run.Str("node")), run.ToString());
        Assert.StartsWith("akka.tcp://akka-jobs@", run.Str("node"));
        Assert.Equal(JsonValueKind.String, run.GetProperty("startedUtc").ValueKind);
        Assert.Equal(JsonValueKind.String, run.GetProperty("finishedUtc").ValueKind);
    }

    [Fact]
    public async Task Pause_and_resume()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("pausable", Noop("@every 1h"))).Status);

        var (status, body) = await Http.Post("/api/jobs/pausable/pause");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("paused").GetBoolean());
        var (_, job) = await Http.Get("/api/jobs/pausable");
        Assert.True(job.GetProperty("paused").GetBoolean(), job.ToString());

        (status, body) = await Http.Post("/api/jobs/pausable/resume");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("paused").GetBoolean());
        (_, job) = await Http.Get("/api/jobs/pausable");
        Assert.False(job.GetProperty("paused").GetBoolean(), job.ToString());
    }

    [Fact]
    public async Task Next_fire_times_of_a_quarter_hour_cron()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("quarterly", Noop("*/15 * * * *"))).Status);

        var (status, body) = await Http.Get("/api/jobs/quarterly/next?count=5");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("quarterly", body.Str("jobId"));
        var times = body.GetProperty("times").EnumerateArray().Select(t => t.GetDateTimeOffset()).ToList();
        Assert.Equal(5, times.Count);
        Assert.All(times, t => Assert.Equal(0, t.Minute % 15));
        Assert.All(times, t => Assert.Equal(0, t.Second));
        for (var i = 1; i < times.Count; i++)
            Assert.Equal(TimeSpan.FromMinutes(15), times[i] - times[i - 1]);
        var now = TimeProvider.System.GetUtcNow();
        Assert.InRange(times[0], now.AddMinutes(-1), now.AddMinutes(16));

        (status, body) = await Http.Get("/api/jobs/quarterly/next");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(10, body.GetProperty("times").GetArrayLength());
    }

    [Fact]
    public async Task Next_of_a_manual_job_is_empty()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("manual-next", Noop())).Status);
        var (status, body) = await Http.Get("/api/jobs/manual-next/next?count=3");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body.GetProperty("times").GetArrayLength());
    }

    [Theory]
    [InlineData("runs?limit=0", "limit")]
    [InlineData("runs?limit=-3", "limit")]
    [InlineData("runs?status=done", "status")]
    [InlineData("runs?status=Succeeded", "status")]
    [InlineData("runs?status=timed_out", "status")]
    [InlineData("next?count=0", "count")]
    [InlineData("runs?limit=abc", "limit")]
    [InlineData("next?count=many", "count")]
    public async Task Invalid_query_is_400_naming_the_parameter(string query, string field)
    {
        Assert.True((await Http.PutJob("query-checks", Noop("@every 1h"))).Status is HttpStatusCode.Created or HttpStatusCode.OK);
        var (status, error) = await Http.Get($"/api/jobs/query-checks/{query}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, error.Str("field"));
    }

    [Fact]
    public async Task Runs_status_filter()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"akka-jobs-marker-{Guid.NewGuid():N}");
        try
        {
            // Fails while the marker file is missing, succeeds once it exists; no retry.
            var json = """
                {"schedule":"manual","handler":"shell","retry":{"maxAttempts":1},
                 "parameters":{"command":"/bin/sh","args":["-c","test -f \"$MARKER\""],"env":{"MARKER":"MARKER_PATH"}}}
                """.Replace("MARKER_PATH", marker, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("filtered", json)).Status);

            var failedRun = await Http.Trigger("filtered");
            Assert.Equal("failed", (await Http.WaitForRunEnd("filtered", failedRun)).Str("status"));
            await File.WriteAllTextAsync(marker, "x");
            var okRun = await Http.Trigger("filtered");
            Assert.NotEqual(failedRun, okRun);
            Assert.Equal("succeeded", (await Http.WaitForRunEnd("filtered", okRun)).Str("status"));

            async Task<List<string>> Ids(string query)
            {
                var (status, runs) = await Http.Get($"/api/jobs/filtered/runs{query}");
                Assert.Equal(HttpStatusCode.OK, status);
                return runs.EnumerateArray().Select(r => r.Str("runId")).ToList();
            }

            Assert.Equal([okRun, failedRun], await Ids(""));
            Assert.Equal([failedRun], await Ids("?status=failed"));
            Assert.Equal([okRun], await Ids("?status=succeeded"));
            Assert.Empty(await Ids("?status=timed-out"));
            Assert.Equal([okRun], await Ids("?limit=1"));
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task Healthz_and_readyz_are_200_and_name_no_address()
    {
        var (status, body) = await Http.Get("/healthz");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", body.Str("status"));
        // Probes are open to anyone reaching the port: the node's remoting address is GET /api/cluster's, behind a token.
        Assert.False(body.TryGetProperty("node", out _), body.ToString());
        Assert.DoesNotContain("akka.tcp", body.ToString());
        (status, body) = await Http.Get("/readyz");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.Str("status"));
        Assert.DoesNotContain("akka.tcp", body.ToString());
    }

    private async Task AssertOriginal(string id)
    {
        var (status, job) = await Http.Get($"/api/jobs/{id}");
        Assert.Equal(HttpStatusCode.OK, status);
        var d = job.GetProperty("definition");
        Assert.Equal("@every 1h", d.Str("schedule"));
        Assert.Equal("noop", d.Str("handler"));
        Assert.Equal("original", d.Str("description"));
        Assert.Equal("UTC", d.Str("timeZone"));
        Assert.Equal(3, d.GetProperty("retry").GetProperty("maxAttempts").GetInt32());
    }

    private async Task AssertAbsent(string id)
    {
        var (status, _) = await Http.Get($"/api/jobs/{id}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        var (listStatus, jobs) = await Http.Get("/api/jobs");
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.DoesNotContain(jobs.EnumerateArray(), j => j.GetProperty("definition").Str("id") == id);
    }
}
