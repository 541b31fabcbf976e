using System.Net;
using System.Text.Json;
using Akka.Jobs.Actors;
using Akka.Jobs.Actors.Workers;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Tests.Handlers;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Akka.Jobs.Tests.Api;

/// <summary>A node's own limits on shell: off, only some tenants, and a few programs at a time.</summary>
public sealed class ShellNodeLimitsTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    private static Task<TestNode> StartAsync(ShellPolicy policy, JobsSettings? engine = null) =>
        TestNode.StartAsync(engine: engine, configureServices: s => s.AddSingleton(policy));

    [Fact]
    public async Task Node_with_shell_disabled_refuses_shell_jobs_at_registration_naming_the_handler()
    {
        await using var node = await StartAsync(new ShellPolicy { Enabled = false });

        var (status, body) = await node.Http.PutJob("no-shell", """{"schedule":"manual","handler":"shell","parameters":{"command":"/bin/true"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal("handler", error.Str("field"));
        Assert.Contains("akka.jobs.shell.enabled", error.Str("message"));
        Assert.Equal(HttpStatusCode.Created, (await node.Http.PutJob("still-noop", """{"schedule":"manual","handler":"noop"}""")).Status);
    }

    [Fact]
    public async Task Shell_limited_to_a_tenant_runs_a_10000_parallel_fan_out_no_more_than_shell_slots_processes_at_once()
    {
        const int slots = 4;
        await using var node = await StartAsync(new ShellPolicy { Tenants = new HashSet<string> { "ops" } }, new JobsSettings { ShellSlots = slots });
        var marker = $"fan-{Guid.NewGuid():N}";
        var items = Enumerable.Range(0, 200).Select(i => $"i{i}").ToArray();
        object Job(string tenant) => new
        {
            schedule = "manual", handler = "shell", tenant, maxParallel = 10_000, entities = items,
            // $0 is the marker: every program of this job shows it in its command line.
            parameters = new { command = "/bin/sh", args = new[] { "-c", "sleep 0.1", marker } },
        };

        var (refused, body) = await node.Http.PutJob("fan-web", JsonSerializer.Serialize(Job("web")));
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains(body.GetProperty("errors").EnumerateArray(), e => e.Str("field") == "handler" && e.Str("message").Contains("akka.jobs.shell.tenants"));
        Assert.Equal(HttpStatusCode.Created, (await node.Http.PutJob("fan-ops", JsonSerializer.Serialize(Job("ops")))).Status);

        using var watch = new CancellationTokenSource();
        var most = 0;
        var mostGroups = "";
        var sampler = Task.Run(async () =>
        {
            while (!watch.IsCancellationRequested)
            {
                var live = ShellProcesses.GroupsWithArgument(marker);
                if (live.Count > most) (most, mostGroups) = (live.Count, string.Join(", ", live));
                await Task.Delay(10);
            }
        });
        var run = await node.Http.WaitForRunEnd("fan-ops", await node.Http.Trigger("fan-ops"), RunTimeout);
        await watch.CancelAsync();
        await sampler;

        Assert.Equal("succeeded", run.Str("status"));
        Assert.Equal(items.Length, run.GetProperty("items").GetInt32());
        var shell = node.Services.GetRequiredService<WorkerSlots>().Shell;
        Assert.True(most is >= 1 and <= slots && shell.Peak is >= 1 and <= slots, $"most live programs {most} ({mostGroups}), peak of shell slots {shell.Peak}; limit {slots}");
        Assert.Equal((0, 0), (shell.InUse, shell.Waiting));
    }
}
