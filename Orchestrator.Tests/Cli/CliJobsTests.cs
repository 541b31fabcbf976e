using System.Text.Json;
using Akka.Jobs.Tests.Api;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;
using static Akka.Jobs.Tests.CliTests.CliRunner;

namespace Akka.Jobs.Tests.CliTests;

/// <summary>The jobs, cluster and audit commands against a real node (each test uses its own job ids).</summary>
public sealed class CliJobsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private TestNode Node => fixture.Node;
    private string Endpoint => Node.Http.BaseAddress!.ToString();

    private static string TempFile(string extension, string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"akka-jobs-cli-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, content);
        return path;
    }

    private async Task<CliResult> Add(string extension, string content)
    {
        var file = TempFile(extension, content);
        try
        {
            return await Run(Endpoint, "jobs", "add", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Add_one_json_definition_then_list_and_show_it()
    {
        var add = await Add(".json", """{"id":"cli-one","schedule":"*/5 * * * *","handler":"noop","description":"every five minutes"}""");
        AssertExit(0, add);
        Assert.Contains(add.OutLines, l => l.StartsWith("cli-one") && l.EndsWith("created"));
        Assert.Contains("1 job: 1 created", add.Out);

        var again = await Add(".json", """{"id":"cli-one","schedule":"*/5 * * * *","handler":"noop","description":"still five"}""");
        AssertExit(0, again);
        Assert.Contains("1 job: 1 updated", again.Out);

        var list = await Run(Endpoint, "jobs", "list");
        AssertExit(0, list);
        Assert.StartsWith("ID", list.OutLines[0]);
        Assert.Contains(list.OutLines, l => l.StartsWith("cli-one") && l.Contains("*/5 * * * *") && l.Contains("noop") && l.Contains("active") && l.Contains("(in "));
        Assert.DoesNotContain("{", list.Out);

        var show = await Run(Endpoint, "jobs", "show", "cli-one");
        AssertExit(0, show);
        Assert.Contains(show.OutLines, l => l.StartsWith("Description") && l.EndsWith("still five"));
        Assert.Contains(show.OutLines, l => l.StartsWith("Next fire") && l.Contains("(in "));
        Assert.DoesNotContain("{", show.Out);

        var json = await Run(Endpoint, "--output", "json", "jobs", "show", "cli-one");
        AssertExit(0, json);
        Assert.Equal("cli-one", JsonDocument.Parse(json.Out).RootElement.GetProperty("definition").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Add_many_from_a_json_array_and_from_hocon()
    {
        var array = await Add(".json", """
            [{"id":"cli-arr-a","schedule":"manual","handler":"noop"},
             {"id":"cli-arr-b","schedule":"@every 1h","handler":"noop"}]
            """);
        AssertExit(0, array);
        Assert.Contains("2 jobs: 2 created", array.Out);

        var nested = await Add(".hocon", """
            akka.jobs.definitions {
              cli-hocon-a { schedule = "0 3 * * *", time-zone = "Europe/Paris", handler = noop, retry { max-attempts = 2 } }
              cli-hocon-b { schedule = manual, handler = noop }
            }
            """);
        AssertExit(0, nested);
        Assert.Contains("2 jobs: 2 created", nested.Out);

        var top = await Add(".conf", """cli-hocon-c { schedule = manual, handler = noop, description = "top level" }""");
        AssertExit(0, top);
        Assert.Contains("1 job: 1 created", top.Out);

        var show = await Run(Endpoint, "jobs", "show", "cli-hocon-a");
        Assert.Contains(show.OutLines, l => l.StartsWith("Schedule") && l.EndsWith("0 3 * * * (Europe/Paris)"));
        Assert.Contains(show.OutLines, l => l.StartsWith("Retry") && l.Contains("2 attempts"));
        Assert.Contains((await Run(Endpoint, "jobs", "show", "cli-hocon-c")).OutLines, l => l.EndsWith("top level"));
    }

    [Fact]
    public async Task Add_reports_each_job_and_exits_1_when_one_fails()
    {
        var add = await Add(".json", """
            [{"id":"cli-mixed-ok","schedule":"manual","handler":"noop"},
             {"id":"cli-mixed-bad","schedule":"61 * * * *","handler":"noop"}]
            """);
        AssertExit(1, add);
        Assert.Contains(add.OutLines, l => l.StartsWith("cli-mixed-ok") && l.EndsWith("created"));
        Assert.Contains(add.OutLines, l => l.StartsWith("cli-mixed-bad") && l.EndsWith("failed"));
        Assert.Contains("2 jobs: 1 created, 1 failed", add.Out);
        Assert.Contains("akka-jobs: cli-mixed-bad: schedule:", add.Err);
    }

    [Theory]
    [InlineData(".json", "{\"id\": \"x\", ", "not valid JSON")]
    [InlineData(".json", "{\"schedule\":\"manual\",\"handler\":\"noop\"}", "has no \"id\"")]
    [InlineData(".hocon", "x { schedule = ${nope} }", "not valid HOCON")]
    [InlineData(".hocon", "# nothing here", "no job definitions")]
    public async Task A_bad_definition_file_is_a_usage_error_naming_the_file(string extension, string content, string expected)
    {
        var file = TempFile(extension, content);
        try
        {
            var result = await Run(Endpoint, "jobs", "add", "-f", file);
            AssertExit(2, result);
            Assert.StartsWith($"akka-jobs: {file}: ", result.Err);
            Assert.Contains(expected, result.Err);
            Assert.Single(result.Err.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(file);
        }
        var missing = await Run(Endpoint, "jobs", "add", "-f", "/nonexistent/jobs.json");
        AssertExit(2, missing);
        Assert.Equal("akka-jobs: /nonexistent/jobs.json: no such file", missing.Err.Trim());
    }

    [Fact]
    public async Task Pause_resume_and_remove()
    {
        AssertExit(0, await Add(".json", """{"id":"cli-pause","schedule":"@every 1h","handler":"noop"}"""));

        var pause = await Run(Endpoint, "jobs", "pause", "cli-pause", "--note", "maintenance");
        AssertExit(0, pause);
        Assert.Contains("Paused job cli-pause", pause.Out);
        Assert.Contains((await Run(Endpoint, "jobs", "list")).OutLines, l => l.StartsWith("cli-pause") && l.Contains("paused"));

        var resume = await Run(Endpoint, "jobs", "resume", "cli-pause");
        AssertExit(0, resume);
        Assert.Equal("Resumed job cli-pause.", resume.Out.Trim());
        Assert.Contains((await Run(Endpoint, "jobs", "list")).OutLines, l => l.StartsWith("cli-pause") && l.Contains("active"));

        var remove = await Run(Endpoint, "jobs", "remove", "cli-pause");
        AssertExit(0, remove);
        Assert.Equal("Removed job cli-pause.", remove.Out.Trim());
        var gone = await Run(Endpoint, "jobs", "show", "cli-pause");
        AssertExit(1, gone);
        Assert.Equal("akka-jobs: job 'cli-pause' does not exist", gone.Err.Trim());
    }

    [Fact]
    public async Task Unknown_job_exits_1_with_the_servers_error()
    {
        foreach (var command in new[] { "show", "trigger", "pause", "resume", "remove", "runs", "next" })
        {
            var result = await Run(Endpoint, "jobs", command, "cli-no-such-job");
            AssertExit(1, result);
            Assert.Equal("akka-jobs: job 'cli-no-such-job' does not exist", result.Err.Trim());
            Assert.Equal("", result.Out);
        }
    }

    [Fact]
    public async Task Trigger_wait_exits_0_when_the_run_succeeds_and_1_when_it_fails()
    {
        AssertExit(0, await Add(".json", """
            [{"id":"cli-ok","schedule":"manual","handler":"noop"},
             {"id":"cli-fails","schedule":"manual","handler":"shell","retry":{"maxAttempts":1},
              "parameters":{"command":"/bin/sh","args":["-c","echo boom >&2; exit 3"]}}]
            """));

        var ok = await Run(Endpoint, "jobs", "trigger", "cli-ok", "--wait");
        AssertExit(0, ok);
        Assert.Contains(ok.OutLines, l => l.StartsWith("run cli-ok@") && l.Contains(" succeeded") && l.Contains("(1 attempt)"));

        var failed = await Run(Endpoint, "jobs", "trigger", "cli-fails", "--wait");
        AssertExit(1, failed);
        Assert.Contains(failed.OutLines, l => l.StartsWith("run cli-fails@") && l.Contains(" failed"));
        Assert.Contains(failed.OutLines, l => l.StartsWith("  ") && l.Contains("boom"));

        var noWait = await Run(Endpoint, "jobs", "trigger", "cli-ok");
        AssertExit(0, noWait);
        Assert.StartsWith("Triggered job cli-ok: run cli-ok@", noWait.Out);
        Assert.StartsWith("Triggered run cli-ok@", ok.Out);

        var runs = await Run(Endpoint, "jobs", "runs", "cli-fails");
        AssertExit(0, runs);
        Assert.StartsWith("RUN ID", runs.OutLines[0]);
        var row = Assert.Single(runs.OutLines.Skip(1));
        Assert.StartsWith("cli-fails@", row);
        Assert.Contains(" failed ", row);

        var onlySucceeded = await Run(Endpoint, "jobs", "runs", "cli-fails", "--status", "succeeded");
        AssertExit(0, onlySucceeded);
        Assert.Equal("No runs of job cli-fails with status succeeded.", onlySucceeded.Out.Trim());

        var json = await Run(Endpoint, "-o", "json", "jobs", "runs", "cli-fails", "--limit", "1");
        AssertExit(0, json);
        Assert.Equal("failed", JsonDocument.Parse(json.Out).RootElement[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Next_lists_fire_times_in_local_time_and_utc()
    {
        AssertExit(0, await Add(".json", """{"id":"cli-next","schedule":"0 * * * *","handler":"noop"}"""));
        var next = await Run(Endpoint, "jobs", "next", "cli-next", "-n", "3");
        AssertExit(0, next);
        Assert.Equal(4, next.OutLines.Length);
        Assert.Contains("LOCAL TIME", next.OutLines[0]);
        Assert.All(next.OutLines.Skip(1), l => Assert.Matches(@"^\s*\d\s+\d{4}-\d\d-\d\d \d\d:00:00\s+\d{4}-\d\d-\d\d \d\d:00:00Z\s+in \d+[smhd]$", l));

        var manual = await Add(".json", """{"id":"cli-next-manual","schedule":"manual","handler":"noop"}""");
        AssertExit(0, manual);
        Assert.Contains("has no upcoming fire times", (await Run(Endpoint, "jobs", "next", "cli-next-manual")).Out);
    }

    [Fact]
    public async Task Cluster_show_and_leader()
    {
        var show = await Run(Endpoint, "cluster", "show");
        AssertExit(0, show);
        Assert.StartsWith("ADDRESS", show.OutLines[0]);
        var member = Assert.Single(show.OutLines, l => l.StartsWith(Node.Address));
        Assert.Matches(@"^\S+\s+-\s+up\s+yes\s+(\d+s ago|now)$", member);
        Assert.Contains("Count: 1 node", show.OutLines);
        Assert.Contains($"Leader: {Node.Address}", show.OutLines);
        Assert.Contains($"Scheduler: {Node.Address}", show.OutLines);

        var leader = await Run(Endpoint, "cluster", "leader");
        AssertExit(0, leader);
        Assert.Equal(Node.Address, leader.Out.Trim());
    }

    [Fact]
    public async Task Audit_lists_changes_made_through_the_cli()
    {
        AssertExit(0, await Add(".json", """{"id":"cli-audited","schedule":"manual","handler":"noop"}"""));
        var audit = await Run(Endpoint, "audit", "--since", "1h", "--limit", "500");
        AssertExit(0, audit);
        Assert.StartsWith("AT", audit.OutLines[0]);
        Assert.Contains(audit.OutLines, l => l.Contains("cli") && l.Contains("jobs.put") && l.Contains("cli-audited") && l.Contains("ok"));

        var json = await Run(Endpoint, "--output", "json", "audit", "--limit", "1");
        AssertExit(0, json);
        Assert.Equal(1, JsonDocument.Parse(json.Out).RootElement.GetProperty("limit").GetInt32());
    }
}
