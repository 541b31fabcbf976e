using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Akka.Jobs.Tests.Infrastructure;
using Akka.Jobs.Tests.Security;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary><c>/api/runs/{runId}</c> (show, cancel, rerun), pause with until and note, clamped pages and durations, over HTTP.</summary>
public sealed class RunsApiTests(SecuredNodeFixture fixture) : IClassFixture<SecuredNodeFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);
    private HttpClient Admin { get; } = fixture.Client(SecuredNodeFixture.Admin);
    private HttpClient Ops { get; } = fixture.Client(SecuredNodeFixture.Operator);

    [Fact]
    public async Task A_run_is_shown_with_each_attempt_where_and_how_it_ended()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("runs-flaky", """
            {"schedule":"manual","handler":"shell",
             "parameters":{"command":"/bin/sh","args":["-c","echo attempt $AKKA_JOBS_ATTEMPT; test \"$AKKA_JOBS_ATTEMPT\" -ge 3"]},
             "retry":{"maxAttempts":3,"initialBackoff":"1s","maxBackoff":"1s","jitter":0}}
            """)).Status);
        var runId = await Ops.Trigger("runs-flaky");
        await Ops.WaitForRunEnd("runs-flaky", runId, RunTimeout);

        var (status, body) = await Ops.Get($"/api/runs/{runId}");
        Assert.Equal(HttpStatusCode.OK, status);
        var run = body.GetProperty("run");
        Assert.Equal("succeeded", run.Str("status"));
        Assert.Equal("triggered by ops", run.Str("cause"));
        var attempts = body.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal(["failed", "failed", "succeeded"], attempts.Select(a => a.Str("outcome")));
        Assert.Equal("exit-code", attempts[0].Str("errorKind"));
        Assert.All(attempts, a => Assert.False(string.IsNullOrEmpty(a.Str("node"))));
        Assert.All(attempts.Take(2), a => Assert.True(a.GetProperty("finishedUtc").GetDateTimeOffset() >= a.GetProperty("startedUtc").GetDateTimeOffset()));
    }

    [Theory]
    [InlineData("GET", "/api/runs/nobody@20260101T000000.000Z")]
    [InlineData("GET", "/api/runs/not-a-run-id")]
    [InlineData("GET", "/api/runs/@20260101T000000.000Z")]
    [InlineData("POST", "/api/runs/nobody@20260101T000000.000Z/cancel")]
    [InlineData("POST", "/api/runs/nobody~2@20260101T000000.000Z/rerun")]
    public async Task Unknown_or_malformed_run_is_404_naming_the_run(string method, string path)
    {
        var (status, body) = await Ops.Send(new HttpMethod(method), path);
        Assert.True(status == HttpStatusCode.NotFound, $"{(int)status} {body}");
        Assert.Equal("runId", body.Str("field"));
    }

    [Fact]
    public async Task Unknown_run_of_a_known_job_is_404()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("runs-known", """{"schedule":"manual","handler":"noop"}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Ops.Get("/api/runs/runs-known@20200101T000000.000Z")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Ops.Post("/api/runs/runs-known@20200101T000000.000Z/cancel")).Status);
    }

    [Fact]
    public async Task Cancel_kills_a_running_shell_jobs_process_tree_at_once_and_records_who_cancelled()
    {
        var pids = Path.Combine(Path.GetTempPath(), $"akka-jobs-cancel-{Guid.NewGuid():N}.pids");
        try
        {
            // The shell starts a child and both sleep 60 s: the whole tree must go.
            var script = $"sleep 60 & echo $$ $! > {pids}; wait";
            var definition = JsonSerializer.Serialize(new
            {
                schedule = "manual", handler = "shell", timeout = "5m", parameters = new { command = "/bin/sh", args = new[] { "-c", script } },
            });
            Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("runs-long", definition)).Status);
            var runId = await Ops.Trigger("runs-long");
            int[] tree = [];
            await Eventually.UntilAsync(() =>
            {
                tree = File.Exists(pids) ? File.ReadAllText(pids).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray() : [];
                return Task.FromResult(tree.Length == 2);
            }, "the shell wrote its and its child's process ids", RunTimeout);
            Assert.All(tree, pid => Assert.True(Alive(pid), $"process {pid} should be running"));

            var (status, body) = await Ops.Post($"/api/runs/{runId}/cancel");
            Assert.True(status == HttpStatusCode.Accepted, $"{(int)status} {body}");
            var cancelled = Stopwatch.StartNew();
            while (tree.Any(Alive) && cancelled.Elapsed < TimeSpan.FromSeconds(2)) await Task.Delay(20);
            Assert.True(!tree.Any(Alive), $"still running 2 s after the cancel: {string.Join(", ", tree.Where(Alive))}");

            var run = await Ops.WaitForRunEnd("runs-long", runId, RunTimeout);
            Assert.Equal("cancelled", run.Str("status"));
            Assert.Equal("cancelled by ops", run.Str("reason"));
            (status, body) = await Ops.Post($"/api/runs/{runId}/cancel");
            Assert.Equal(HttpStatusCode.Conflict, status);
            Assert.Contains("already ended", body.Str("error"));

            var (_, audit) = await Ops.Get("/api/audit?since=5m");
            Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e =>
                e.Str("action") == "runs.cancel" && e.Str("target") == runId && e.Str("caller") == "ops" && e.Str("outcome") == "ok");
        }
        finally
        {
            File.Delete(pids);
        }
    }

    [Fact]
    public async Task Cancel_needs_the_operator_role()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("runs-guarded", """{"schedule":"manual","handler":"noop"}""")).Status);
        var runId = await Ops.Trigger("runs-guarded");
        using var viewer = fixture.Client(SecuredNodeFixture.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Post($"/api/runs/{runId}/cancel")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Post($"/api/runs/{runId}/rerun")).Status);
    }

    [Fact]
    public async Task Rerun_starts_a_new_manual_run_whose_cause_names_the_original()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("runs-again", """{"schedule":"manual","handler":"noop"}""")).Status);
        var original = await Ops.Trigger("runs-again");
        await Ops.WaitForRunEnd("runs-again", original, RunTimeout);

        var (status, body) = await Ops.Post($"/api/runs/{original}/rerun");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(original, body.Str("rerunOf"));
        var again = body.Str("runId");
        Assert.NotEqual(original, again);
        var run = await Ops.WaitForRunEnd("runs-again", again, RunTimeout);
        Assert.Equal("succeeded", run.Str("status"));
        Assert.Equal("manual", run.Str("trigger"));
        Assert.Equal($"rerun of {original} by ops", run.Str("cause"));
    }

    [Fact]
    public async Task Pause_until_resumes_by_itself_and_its_skipped_times_carry_the_note()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("runs-pause", """{"schedule":"@every 1s","handler":"noop"}""")).Status);
        var (status, body) = await Ops.Send(HttpMethod.Post, "/api/jobs/runs-pause/pause", """{"until":"3s","note":"deploy 42"}""");
        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
        var until = body.GetProperty("pausedUntilUtc").GetDateTimeOffset();
        var (_, job) = await Ops.Get("/api/jobs/runs-pause");
        Assert.True(job.GetProperty("paused").GetBoolean());
        Assert.Equal("deploy 42 (paused by ops)", job.Str("pausedReason"));
        Assert.Equal(until, job.GetProperty("pausedUntilUtc").GetDateTimeOffset());

        await Eventually.UntilAsync(async () => !(await Ops.Get("/api/jobs/runs-pause")).Body.GetProperty("paused").GetBoolean(),
            "the job resumed by itself", RunTimeout);
        JsonElement[] runs = [];
        await Eventually.UntilAsync(async () =>
        {
            runs = (await Ops.Get("/api/jobs/runs-pause/runs?limit=500")).Body.EnumerateArray().ToArray();
            return runs.Any(r => r.Str("status") == "succeeded" && r.GetProperty("scheduledUtc").GetDateTimeOffset() > until)
                && runs.Any(r => r.Str("status") == "skipped");
        }, "runs after the pause and skips during it", RunTimeout);
        Assert.All(runs.Where(r => r.Str("status") == "skipped"), r => Assert.StartsWith("paused: deploy 42", r.Str("reason")));

        var (_, audit) = await Ops.Get("/api/audit?since=5m");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.Str("action") == "jobs.pause" && e.Str("target") == "runs-pause");
    }

    [Theory]
    [InlineData("""{"until":"soon"}""", "until")]
    [InlineData("""{"until":"2020-01-01T00:00:00Z"}""", "until")]
    [InlineData("""{"until":"2030-01-01T00:00:00"}""", "until")]
    [InlineData("""{"until":5}""", "until")]
    [InlineData("""{"note":5}""", "note")]
    [InlineData("""{"note":"two\nlines"}""", "note")]
    [InlineData("""{"until":"1h","reason":"x"}""", "reason")]
    [InlineData("""[1,2]""", "body")]
    [InlineData("""{"until":""", "body")]
    public async Task Bad_pause_body_is_400_naming_the_field_and_changes_nothing(string json, string field)
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob($"runs-badpause-{field}-{json.Length}", """{"schedule":"hourly","handler":"noop"}""")).Status);
        var (status, body) = await Ops.Send(HttpMethod.Post, $"/api/jobs/runs-badpause-{field}-{json.Length}/pause", json);
        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {body}");
        Assert.Equal(field, body.Str("field"));
        Assert.False((await Ops.Get($"/api/jobs/runs-badpause-{field}-{json.Length}")).Body.GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task Pages_above_the_cap_are_clamped_and_durations_read_as_people_write_them()
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("runs-clamp", """
            {"schedule":"@every 90s","handler":"noop","timeout":"1h30m","retry":{"initialBackoff":"500ms","maxBackoff":"2m"}}
            """)).Status);
        using var runs = await Ops.GetAsync("/api/jobs/runs-clamp/runs?limit=100000");
        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        Assert.Equal("500", runs.Headers.GetValues("X-Limit").Single());
        var (status, next) = await Ops.Get("/api/jobs/runs-clamp/next?count=5000");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1000, next.GetProperty("times").GetArrayLength());

        var (_, job) = await Ops.Get("/api/jobs/runs-clamp");
        var d = job.GetProperty("definition");
        Assert.Equal("1h30m", d.Str("timeout"));
        Assert.Equal("500ms", d.GetProperty("retry").Str("initialBackoff"));
        Assert.Equal("2m", d.GetProperty("retry").Str("maxBackoff"));
    }

    [Fact]
    public async Task Jobs_whose_last_run_failed_are_listed_as_failing_with_their_streak_until_a_run_succeeds()
    {
        const string failing = """{"schedule":"manual","handler":"shell","retry":{"maxAttempts":1},"parameters":{"command":"/bin/sh","args":["-c","exit 1"]}}""";
        Assert.Equal(HttpStatusCode.Created, (await Admin.PutJob("runs-failing", failing)).Status);
        for (var i = 0; i < 2; i++) await Ops.WaitForRunEnd("runs-failing", await Ops.Trigger("runs-failing"), RunTimeout);

        await Eventually.UntilAsync(async () => (await Ops.Get("/api/jobs/runs-failing")).Body.GetProperty("failureStreak").GetInt32() == 2,
            "failure streak 2", RunTimeout);
        var (_, list) = await Ops.Get("/api/jobs?status=failing");
        Assert.Contains("runs-failing", list.EnumerateArray().Select(j => j.GetProperty("definition").Str("id")));
        Assert.DoesNotContain("runs-again", list.EnumerateArray().Select(j => j.GetProperty("definition").Str("id")));

        Assert.Equal(HttpStatusCode.OK, (await Admin.PutJob("runs-failing", """{"schedule":"manual","handler":"noop"}""")).Status);
        await Ops.WaitForRunEnd("runs-failing", await Ops.Trigger("runs-failing"), RunTimeout);
        await Eventually.UntilAsync(async () => (await Ops.Get("/api/jobs/runs-failing")).Body.GetProperty("failureStreak").GetInt32() == 0,
            "failure streak back to 0", RunTimeout);
        (_, list) = await Ops.Get("/api/jobs?status=failing");
        Assert.DoesNotContain("runs-failing", list.EnumerateArray().Select(j => j.GetProperty("definition").Str("id")));
        var (status, body) = await Ops.Get("/api/jobs?status=broken");
        Assert.Equal((HttpStatusCode.BadRequest, "status"), (status, body.Str("field")));
    }

    private static bool Alive(int pid)
    {
        // A killed child of the node stays a zombie until reaped; only a running (or sleeping) process counts.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
