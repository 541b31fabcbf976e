using Akka.Jobs.Actors;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Domain.Outbound;
using Akka.Jobs.Domain.Secrets;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Akka.Jobs.Tests.Infrastructure;

/// <summary>
/// A real node (ActorSystem + HTTP API) for tests: its own database (a fresh SQLite file unless one is
/// given), a free remoting port and a free HTTP port, so tests can run in parallel. <see cref="StartAsync"/>
/// returns once <c>/readyz</c> answers 200; <see cref="DisposeAsync"/> stops the node.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly string? _sqliteFile;

    private TestNode(WebApplication app, HttpClient http, string db, string? sqliteFile)
    {
        _app = app;
        Http = http;
        Db = db;
        _sqliteFile = sqliteFile;
    }

    /// <summary>A client whose base address is the node's HTTP URL.</summary>
    public HttpClient Http { get; }

    /// <summary>The database the node uses (SQLite path or PostgreSQL connection string).</summary>
    public string Db { get; }

    /// <summary>The node's services (handlers registry, TimeProvider…).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// The outbound policy of a test node unless a test gives its own: the production default plus 127.0.0.1, where
    /// the tests' HTTP servers listen. <see cref="OutboundPolicy.Default"/> tests the production rule.
    /// </summary>
    public static readonly OutboundPolicy LoopbackTestServers = OutboundPolicy.Default with { AllowNetworks = [System.Net.IPNetwork.Parse("127.0.0.1/32")] };

    /// <summary>
    /// Starts a node and waits until it is ready. With <paramref name="tokens"/>, <c>/api</c> needs a bearer token;
    /// <paramref name="secrets"/> are the node's named secrets; <paramref name="httpPolicy"/> defaults to <see cref="LoopbackTestServers"/>;
    /// <paramref name="apiLimits"/> replaces the API limits (default: the node's, with the rate limit off).
    /// </summary>
    public static async Task<TestNode> StartAsync(
        string? db = null,
        IReadOnlyList<JobDefinition>? definitions = null,
        Action<IServiceCollection>? configureServices = null,
        JobsSettings? engine = null,
        int port = 0,
        IReadOnlyList<string>? seeds = null,
        string akkaHocon = "",
        ApiTokens? tokens = null,
        SecretStore? secrets = null,
        OutboundPolicy? httpPolicy = null,
        ApiLimits? apiLimits = null,
        Orchestrator.Remoting.RemotingTls? tls = null,
        bool actorApi = true)
    {
        var sqliteFile = db is null ? TestDatabases.NewSqliteFile() : null;
        var options = new NodeOptions
        {
            ConfigPath = "(test)",
            Db = db ?? sqliteFile!,
            Hostname = "127.0.0.1",
            Port = port,
            Http = "http://127.0.0.1:0",
            Seeds = seeds ?? [],
            Definitions = definitions ?? [],
            Engine = engine ?? new JobsSettings(),
            Tokens = tokens ?? ApiTokens.None,
            Secrets = secrets ?? SecretStore.Empty,
            HttpPolicy = httpPolicy ?? LoopbackTestServers,
            // Tests register and trigger jobs as fast as the node answers: no rate limit unless a test asks for one.
            ApiLimits = apiLimits ?? new ApiLimits { RateLimit = RateLimit.Off },
            Tls = tls,
            ActorApiEnabled = actorApi,
            // A crash (CrashAsync) must not run the graceful leave that ActorSystem.Terminate would trigger.
            AkkaHocon = "akka.coordinated-shutdown.run-by-actor-system-terminate = off\n" + akkaHocon,
        };
        var app = NodeHost.Build(options, configureServices);
        HttpClient? http = null;
        TestNode? node = null;
        try
        {
            await app.StartAsync();
            http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
            node = new TestNode(app, http, options.Db, sqliteFile);
            await node.WaitUntilReadyAsync();
            return node;
        }
        catch
        {
            if (node is not null) await node.DisposeAsync();
            else
            {
                http?.Dispose();
                await StopAppAsync(app);
                TestDatabases.DeleteSqliteFile(sqliteFile);
            }
            throw;
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var cts = new CancellationTokenSource(ReadyTimeout);
        var last = "no answer";
        while (!cts.IsCancellationRequested)
        {
            try
            {
                using var response = await Http.GetAsync("/readyz", cts.Token);
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cts.Token)}";
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                last = ex.Message;
            }
            try { await Task.Delay(200, cts.Token); } catch (OperationCanceledException) { }
        }
        throw new TimeoutException($"node was not ready within {ReadyTimeout.TotalSeconds:0}s: /readyz said {last}");
    }

    /// <summary>The node's cluster address, e.g. akka.tcp://akka-jobs@127.0.0.1:40123.</summary>
    public string Address => Akka.Cluster.Cluster.Get(Services.GetRequiredService<Akka.Actor.ActorSystem>()).SelfAddress.ToString();

    /// <summary>
    /// Dies without leaving the cluster: the ActorSystem terminates without coordinated shutdown, so
    /// the other nodes see it unreachable and the split-brain resolver downs it, as after a kill -9.
    /// </summary>
    public async Task CrashAsync()
    {
        var system = Services.GetRequiredService<Akka.Actor.ActorSystem>();
        await system.Terminate();
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await StopAppAsync(_app);
        TestDatabases.DeleteSqliteFile(_sqliteFile);
    }

    private static async Task StopAppAsync(WebApplication app)
    {
        using (var cts = new CancellationTokenSource(StopTimeout))
        {
            try { await app.StopAsync(cts.Token); }
            catch (OperationCanceledException) { /* stop took too long; dispose anyway */ }
        }
        await app.DisposeAsync();
    }
}
