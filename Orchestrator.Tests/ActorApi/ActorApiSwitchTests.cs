using Akka.Actor;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Akka.Jobs.Tests.ActorApi;

/// <summary><c>akka.jobs.actor-api.enabled</c>: on by default; off leaves no actor API and no receptionist on the node.</summary>
public sealed class ActorApiSwitchTests
{
    [Fact]
    public async Task Switched_off_the_node_has_no_jobs_api_actor_and_no_receptionist_but_serves_http()
    {
        await using var node = await TestNode.StartAsync(actorApi: false);
        var system = node.Services.GetRequiredService<ActorSystem>();

        await Assert.ThrowsAsync<ActorNotFoundException>(() => system.ActorSelection("/user/jobs-api").ResolveOne(TimeSpan.FromSeconds(3)));
        await Assert.ThrowsAsync<ActorNotFoundException>(() => system.ActorSelection("/system/receptionist").ResolveOne(TimeSpan.FromSeconds(3)));
        using var jobs = await node.Http.GetAsync("/api/jobs");
        Assert.True(jobs.IsSuccessStatusCode);
    }

    [Fact]
    public async Task On_by_default_the_node_has_both()
    {
        await using var node = await TestNode.StartAsync();
        var system = node.Services.GetRequiredService<ActorSystem>();

        Assert.NotNull(await system.ActorSelection("/user/jobs-api").ResolveOne(TimeSpan.FromSeconds(10)));
        Assert.NotNull(await system.ActorSelection("/system/receptionist").ResolveOne(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("", null, true)]
    [InlineData("akka.jobs.actor-api.enabled = off", null, false)]
    [InlineData("akka.jobs.actor-api.enabled = off", "on", true)]
    [InlineData("", "off", false)]
    public void Switch_is_read_from_hocon_and_the_environment(string hocon, string? env, bool expected)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, hocon);
            var options = NodeConfigLoader.Load(new NodeArguments(Config: file), k => k == "AKKA_JOBS_ACTOR_API" ? env : null);
            Assert.Equal(expected, options.ActorApiEnabled);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
