using System.Text.Json;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Domain.Definitions;
using Xunit;
using static Akka.Jobs.Tests.Handlers.HandlerTestSupport;

namespace Akka.Jobs.Tests.Handlers;

/// <summary>What a shell program can reach: its environment, its process group, its user, and the node's policy.</summary>
public sealed class ShellIsolationTests
{
    private static string Sh(string script, string? extra = null) =>
        $$"""{"command":"/bin/sh","args":["-c",{{JsonSerializer.Serialize(script)}}]{{extra}}}""";


    [Fact]
    public async Task Program_sees_the_basic_and_passed_through_variables_and_none_of_the_nodes_others()
    {
        var node = new Dictionary<string, string>
        {
            ["AKKA_JOBS_DB"] = "Host=db;Password=hunter2",
            ["AKKA_JOBS_API_TOKENS"] = "[{name:ci,role:admin,token:s3cr3t-s3cr3t-s3cr3t}]",
            ["SOME_NODE_SECRET"] = "node-only",
            ["HTTP_PROXY"] = "http://proxy:3128",
            ["PATH"] = "/usr/bin:/bin",
            ["HOME"] = "/home/node",
            ["LANG"] = "C.UTF-8",
        };
        var policy = new ShellPolicy { PassEnv = ["HTTP_PROXY", "NOT_SET_ON_NODE"] };
        var ctx = Context("shell", Sh("env", ""","env":{"OWN":"job value"}"""));

        var output = (await new ShellHandler(policy, nodeEnvironment: n => node.GetValueOrDefault(n)).ExecuteAsync(ctx, CancellationToken.None)).Output!;

        var vars = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)[0]).Where(n => n != "PWD" && n != "SHLVL" && n != "_").Order();
        Assert.Equal(["AKKA_JOBS_ATTEMPT", "AKKA_JOBS_ITEM", "AKKA_JOBS_JOB_ID", "AKKA_JOBS_RUN_ID", "AKKA_JOBS_SCHEDULED_UTC",
            "HOME", "HTTP_PROXY", "LANG", "OWN", "PATH"], vars);
        Assert.Contains("HTTP_PROXY=http://proxy:3128\n", output);
        Assert.Contains("PATH=/usr/bin:/bin\n", output);
        Assert.DoesNotContain("hunter2", output);
        Assert.DoesNotContain("s3cr3t", output);
        Assert.DoesNotContain("node-only", output);
    }

    [Fact]
    public async Task Program_started_from_the_real_node_environment_does_not_see_its_variables()
    {
        using var variable = new UniqueNodeVariable();

        var output = (await new ShellHandler().ExecuteAsync(Context("shell", Sh("env")), CancellationToken.None)).Output!;

        variable.AssertAbsentFrom(output);
        Assert.Contains("PATH=", output);
    }

    [Fact]
    public async Task Without_a_node_PATH_the_program_gets_a_default_one()
    {
        var output = (await new ShellHandler(nodeEnvironment: _ => null).ExecuteAsync(Context("shell", Sh("echo \"$PATH\"")), CancellationToken.None)).Output!;

        Assert.Equal(ShellEnvironment.DefaultPath + "\n", output);
    }

    [Fact]
    public async Task Program_leads_its_own_session_and_process_group_and_is_the_child_the_node_started()
    {
        // stat fields after "(comm)": state ppid pgrp session
        var ctx = Context("shell", Sh("s=$(cat /proc/$$/stat); set -- ${s##*) }; echo \"$$ $2 $3 $4\""));

        var fields = (await new ShellHandler().ExecuteAsync(ctx, CancellationToken.None)).Output!.Trim().Split(' ').Select(int.Parse).ToArray();

        var (pid, ppid, group, session) = (fields[0], fields[1], fields[2], fields[3]);
        Assert.Equal(Environment.ProcessId, ppid); // setsid exec'd in place: no process between the node and the program
        Assert.Equal(pid, group);
        Assert.Equal(pid, session);
    }

    [Fact]
    public async Task Background_child_is_killed_when_the_program_exits_and_the_output_is_complete()
    {
        var marker = ShellProcesses.Marker();
        var ctx = Context("shell", Sh($"sleep {marker} & i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done; echo started"));

        var output = (await new ShellHandler().ExecuteAsync(ctx, CancellationToken.None)).Output!;

        Assert.EndsWith("line 1999\nstarted\n", output);
        Assert.True(await WaitUntil(() => ShellProcesses.Find("sleep", marker).Count == 0, TimeSpan.FromSeconds(10)),
            $"sleep {marker} still runs after its attempt");
    }

    [Fact]
    public async Task Background_child_is_killed_when_the_attempt_is_cancelled()
    {
        var marker = ShellProcesses.Marker();
        using var dir = new TempDir();
        var ctx = Context("shell", Sh($"(sleep {marker} &); echo started > started; exec sleep 200", $""","workingDirectory":{JsonSerializer.Serialize(dir.Path)}"""));
        using var cts = new CancellationTokenSource();

        var run = new ShellHandler().ExecuteAsync(ctx, cts.Token);
        Assert.True(await WaitUntil(() => File.Exists(Path.Combine(dir.Path, "started")) && ShellProcesses.Find("sleep", marker).Count == 1, TimeSpan.FromSeconds(10)));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(await WaitUntil(() => ShellProcesses.Find("sleep", marker).Count == 0, TimeSpan.FromSeconds(10)),
            $"sleep {marker} still runs after its attempt was cancelled");
    }

    [Fact]
    public async Task Disabled_shell_refuses_at_run_time_with_a_non_retryable_handler_disabled()
    {
        using var dir = new TempDir();
        var ctx = Context("shell", Sh("touch ran", $""","workingDirectory":{JsonSerializer.Serialize(dir.Path)}"""));

        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => new ShellHandler(new ShellPolicy { Enabled = false }).ExecuteAsync(ctx, CancellationToken.None));

        Assert.Equal(("handler-disabled", false), (ex.Kind, ex.Retryable));
        Assert.Contains("akka.jobs.shell.enabled", ex.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, "ran")));
    }

    [Fact]
    public async Task Tenant_limited_shell_runs_the_listed_tenants_jobs_only()
    {
        var policy = new ShellPolicy { Tenants = new HashSet<string> { "ops" } };
        var any = Context("shell", Sh("echo ok"));
        var ops = any with { Definition = any.Definition with { Tenant = "ops" } };
        var web = ops with { Definition = ops.Definition with { Tenant = "web" } };

        Assert.Equal("ok\n", (await new ShellHandler(policy).ExecuteAsync(ops, CancellationToken.None)).Output);
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() => new ShellHandler(policy).ExecuteAsync(web, CancellationToken.None));
        Assert.Equal("handler-disabled", ex.Kind);
        Assert.Contains("'web'", ex.Message);
    }

    [Fact]
    public async Task RunAs_a_user_the_node_does_not_list_is_refused_at_run_time()
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() =>
            new ShellHandler().ExecuteAsync(Context("shell", Sh("id -un", ""","runAs":"nobody" """)), CancellationToken.None));

        Assert.Equal(("handler-disabled", false), (ex.Kind, ex.Retryable));
        Assert.Contains("akka.jobs.shell.run-as", ex.Message);
    }

    /// <summary>As root the program runs as the user; without root (only root can switch users) the attempt is refused.</summary>
    [Fact]
    public async Task RunAs_runs_the_program_as_that_user_with_its_home()
    {
        var policy = new ShellPolicy { RunAs = new HashSet<string> { "nobody" } };
        var ctx = Context("shell", Sh("id -un; echo \"$HOME\"", ""","runAs":"nobody" """));
        if (!Environment.IsPrivilegedProcess)
        {
            var refused = await Assert.ThrowsAsync<JobHandlerException>(() => new ShellHandler(policy).ExecuteAsync(ctx, CancellationToken.None));
            Assert.Equal(("start-failed", false), (refused.Kind, refused.Retryable));
            return;
        }

        var output = (await new ShellHandler(policy).ExecuteAsync(ctx, CancellationToken.None)).Output!;

        Assert.Equal(["nobody", File.ReadAllLines("/etc/passwd").Select(l => l.Split(':')).Single(f => f[0] == "nobody")[5]],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Command_not_on_the_programs_PATH_is_a_non_retryable_start_failure()
    {
        var ex = await Assert.ThrowsAsync<JobHandlerException>(() =>
            new ShellHandler().ExecuteAsync(Context("shell", """{"command":"no-such-program-akka-jobs"}"""), CancellationToken.None));

        Assert.Equal(("start-failed", false), (ex.Kind, ex.Retryable));
        Assert.Contains("not found on PATH", ex.Message);
    }
}

/// <summary>A temporary directory removed at the end of a test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("akka-jobs-shell-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Live processes found through /proc.</summary>
public static class ShellProcesses
{
    /// <summary>A unique sleep time such as 300.123456, so a test finds its own sleeping processes and no other test's.</summary>
    public static string Marker() => $"300.{Random.Shared.Next(100_000, 999_999)}";

    /// <summary>Pids of live (not zombie) processes whose command line is exactly <paramref name="argv"/>.</summary>
    public static IReadOnlyList<int> Find(params string[] argv)
    {
        var wanted = string.Join('\0', argv) + "\0";
        return Live().Where(p => p.CommandLine == wanted).Select(p => p.Pid).ToList();
    }

    /// <summary>
    /// The process groups of live processes with <paramref name="argument"/> in their command line: one per running
    /// program, as each leads its own group (a shell's child shows the shell's command line until it execs).
    /// </summary>
    public static HashSet<int> GroupsWithArgument(string argument) =>
        Live().Where(p => p.CommandLine.Split('\0').Contains(argument)).Select(p => p.Group).ToHashSet();

    private static List<(int Pid, string CommandLine, int Group)> Live()
    {
        var found = new List<(int, string, int)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var commandLine = File.ReadAllText($"{dir}/cmdline");
                // "pid (comm) state ppid pgrp ...": comm may hold spaces, so count from the last ')'
                var stat = File.ReadAllText($"{dir}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] is not ("Z" or "X")) found.Add((pid, commandLine, int.Parse(fields[2])));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile
            }
        }
        return found;
    }
}

/// <summary>
/// A variable set on this (the node's) process under a name no other test uses, so setting it disturbs nothing that
/// runs in parallel; removed again at the end of the test.
/// </summary>
public sealed class UniqueNodeVariable : IDisposable
{
    public string Name { get; } = $"AKKA_JOBS_TEST_{Guid.NewGuid():N}";
    public string Value { get; } = $"node-only-{Guid.NewGuid():N}";

    public UniqueNodeVariable() => Environment.SetEnvironmentVariable(Name, Value);

    /// <summary>Neither this variable nor the node's database setting shows in a program's output.</summary>
    public void AssertAbsentFrom(string output)
    {
        Assert.DoesNotContain(Name, output);
        Assert.DoesNotContain(Value, output);
        Assert.DoesNotContain("AKKA_JOBS_DB", output);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(Name, null);
}
