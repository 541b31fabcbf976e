using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using Akka.Jobs.Actors.Hosting;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Protocol;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Node;
using Akka.Jobs.Orchestrator.Remoting;
using Akka.Jobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Akka.Jobs.Tests.Cluster;

/// <summary>
/// Mutual TLS on Akka.Remote (<c>akka.jobs.node.tls</c>): nodes with the cluster's certificate form a cluster; a system
/// without it, or with another certificate, can neither join nor make a worker run a shell command.
/// </summary>
public sealed class RemotingTlsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-jobs-tls-").FullName;
    private readonly X509Certificate2 _cluster = TestCertificates.SelfSigned("akka-jobs-cluster");

    public void Dispose()
    {
        _cluster.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Two_nodes_sharing_a_certificate_form_a_cluster_over_mutual_tls()
    {
        await using var first = await TestNode.StartAsync(port: NodeProcess.FreePort(), tls: TestCertificates.Shared(_cluster));
        // Written as people write seeds: the node turns akka.tcp:// into the TLS scheme it speaks.
        var seed = first.Address.Replace("akka.ssl.tcp://", "akka.tcp://", StringComparison.Ordinal);
        const string password = "pfx-password-3b7e91";
        var pfx = TestCertificates.WritePfx(_dir, _cluster, password);
        await File.WriteAllTextAsync(Path.Combine(_dir, "password"), password + "\n");
        var config = Path.Combine(_dir, "node.hocon");
        await File.WriteAllTextAsync(config, $"akka.jobs.node.tls {{ certificate = \"{pfx}\", password-file = \"{_dir}/password\" }}");
        var options = NodeConfigLoader.Load(new NodeArguments(Config: config, Seeds: [seed]), _ => null);
        await using var second = await TestNode.StartAsync(db: first.Db, seeds: options.Seeds, tls: options.Tls);

        Assert.StartsWith("akka.ssl.tcp://akka-jobs@127.0.0.1:", first.Address);
        var cluster = ClusterOf(first);
        await Eventually.UntilAsync(() => Task.FromResult(cluster.State.Members.Count(m => m.Status == MemberStatus.Up) == 2),
            "both nodes up", Patience);
        // The API takes a member's address as people write it (akka.tcp://…) and answers with the member's own.
        using var join = await second.Http.PostAsync("/api/cluster/join", new StringContent($"{{\"address\":\"{seed}\"}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, join.StatusCode);
        Assert.Contains(first.Address, await join.Content.ReadAsStringAsync());
        // The certificate reached DotNetty as an object: its password and path are not in the config log-config-on-start prints.
        var actorConfig = second.Services.GetRequiredService<ActorSystem>().Settings.Config;
        Assert.True(actorConfig.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.DoesNotContain(password, actorConfig.ToString(includeFallback: true));
        Assert.DoesNotContain(pfx, actorConfig.ToString(includeFallback: true));
    }

    [Fact]
    public async Task A_system_without_tls_can_neither_join_nor_run_work_on_a_tls_node()
    {
        await using var node = await TestNode.StartAsync(port: NodeProcess.FreePort(), tls: TestCertificates.Shared(_cluster));
        var plainAddress = node.Address.Replace("akka.ssl.tcp://", "akka.tcp://", StringComparison.Ordinal);

        using var rogue = await StartSystemAsync(tls: null);
        await RefusedAsync(node, rogue, plainAddress);
    }

    [Fact]
    public async Task A_system_with_another_self_signed_certificate_can_neither_join_nor_run_work()
    {
        await using var node = await TestNode.StartAsync(port: NodeProcess.FreePort(), tls: TestCertificates.Shared(_cluster));
        var refusals = WarningsOf(node, "Refused a remoting connection");

        // The rogue trusts the node's certificate, so any refusal is the node's.
        using var other = TestCertificates.SelfSigned("akka-jobs-cluster");
        using var rogue = await StartSystemAsync(new RemotingTls(other, new HashSet<string> { RemotingTls.Sha256Of(_cluster) }, []));
        await RefusedAsync(node, rogue, node.Address);
        await Eventually.UntilAsync(() => Task.FromResult(!refusals.IsEmpty), "the node logged the rogue's refusal", Patience);
    }

    /// <summary>
    /// The rogue sends a shell <see cref="ExecuteWork"/> to the node's worker region; then a system with the cluster's
    /// certificate (not a member either) sends the same kind of message. Once the trusted one's file exists, the rogue's
    /// message (sent first) would have run too: its file must not exist. Then the rogue asks to join, and is not let in.
    /// </summary>
    private async Task RefusedAsync(TestNode node, IHost rogue, string nodeAddressForRogue)
    {
        var rogueSystem = rogue.Services.GetRequiredService<ActorSystem>();
        var rogueFile = Path.Combine(_dir, "rogue-ran");
        rogueSystem.ActorSelection($"{nodeAddressForRogue}/system/sharding/worker").Tell(Touch("rogue-job", rogueFile));

        using var trusted = await StartSystemAsync(TestCertificates.Shared(_cluster));
        var trustedFile = Path.Combine(_dir, "trusted-ran");
        var trustedSystem = trusted.Services.GetRequiredService<ActorSystem>();
        // A message sent before the association is up may be dropped: send until the work has run.
        await Eventually.UntilAsync(() =>
        {
            trustedSystem.ActorSelection($"{node.Address}/system/sharding/worker").Tell(Touch("trusted-job", trustedFile));
            return Task.FromResult(File.Exists(trustedFile));
        }, "work sent by a system with the cluster's certificate ran", Patience);
        Assert.False(File.Exists(rogueFile), "the rogue's shell command ran");

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // Refused either way: by timing out, or at once when the rogue's cluster has already shut itself down after its
        // refused handshakes ("Cluster has already been terminated", seen in a CI run) — JoinAsync then throws as it is called.
        await Assert.ThrowsAnyAsync<Exception>(() => Akka.Cluster.Cluster.Get(rogueSystem).JoinAsync(Address.Parse(nodeAddressForRogue), patience.Token));
        Assert.Equal([node.Address], ClusterOf(node).State.Members.Select(m => m.Address.ToString()));
    }

    private static ExecuteWork Touch(string jobId, string file)
    {
        var now = TimeProvider.System.GetUtcNow();
        var parameters = JsonSerializer.SerializeToElement(new { command = "/bin/sh", args = new[] { "-c", $"touch '{file}'" } });
        var definition = new JobDefinition { Id = jobId, Schedule = "manual", Handler = "shell", Parameters = parameters };
        return new ExecuteWork(jobId, Contracts.Runs.RunIds.For(jobId, now), "main", 1, now, now.AddMinutes(5), definition);
    }

    /// <summary>An ActorSystem named like the cluster's, with its serializers and our remoting (TLS or not), on a free loopback port.</summary>
    private static async Task<IHost> StartSystemAsync(RemotingTls? tls)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var options = new NodeOptions { Hostname = "127.0.0.1", Port = 0, Tls = tls };
        builder.Services.AddAkka(AkkaJobsNode.SystemName, (b, _) => b
            .AddHocon("akka.cluster.sharding.distributed-data.durable.keys = []", HoconAddMode.Prepend)
            .AddJobsSerialization()
            .AddJobsRemoting(options)
            .WithClustering(new ClusterOptions()));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static Akka.Cluster.Cluster ClusterOf(TestNode node) => Akka.Cluster.Cluster.Get(node.Services.GetRequiredService<ActorSystem>());

    /// <summary>The node's warnings containing <paramref name="text"/>, as they are logged.</summary>
    private static ConcurrentQueue<string> WarningsOf(TestNode node, string text)
    {
        var seen = new ConcurrentQueue<string>();
        var system = node.Services.GetRequiredService<ActorSystem>();
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new WarningCollector(seen, text))), typeof(Warning));
        return seen;
    }

    private sealed class WarningCollector : ReceiveActor
    {
        public WarningCollector(ConcurrentQueue<string> seen, string text) =>
            Receive<Warning>(w => w.Message?.ToString()?.Contains(text, StringComparison.Ordinal) == true, w => seen.Enqueue(w.Message!.ToString()!));
    }
}
