using System.Collections.Specialized;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Jobs.Actors;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Node;
using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;
using Quartz.Impl;

namespace Akka.Jobs.Benchmarks;

/// <summary>A scheduler under test, hosted in this process on its own database.</summary>
public interface ISystemUnderTest : IAsyncDisposable
{
    string Name { get; }
    Task StartAsync();
    Task AddOneOffAsync(IReadOnlyList<string> ids, DateTimeOffset at);
    Task AddEverySecondAsync(IReadOnlyList<string> ids, DateTimeOffset firstFire);
    Task AddIdleAsync(IReadOnlyList<string> ids);
    Task AddManualAsync(string id);
    /// <summary>Returns once the trigger is durably accepted.</summary>
    Task TriggerAsync(string id);
    Task StopAsync();
}

public static class Parallelism
{
    public static Task ForEachAsync(IReadOnlyList<string> ids, int degree, Func<string, Task> body) =>
        Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = degree }, async (id, _) => await body(id));
}

// ------------------------------------------------------------------ Akka.Jobs

/// <summary>The benchmark's job body for Akka.Jobs: records its start against the engine's scheduled time.</summary>
public sealed class BenchHandler : IJobHandler
{
    public Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        Recorder.Started(context.ItemKey == "main" ? context.JobId : context.JobId + "/" + context.ItemKey, context.ScheduledUtc, context.Attempt);
        Recorder.Finished();
        return Task.FromResult(HandlerResult.Empty);
    }
}

/// <summary>Counts runs the engine recorded as succeeded (DistributedPubSub topic akka-jobs.runs).</summary>
public sealed class RunWatcher : ReceiveActor
{
    public RunWatcher()
    {
        Receive<RunStatusChanged>(m =>
        {
            if (m.Run.Status == RunStatus.Succeeded) Recorder.Completed(m.Run.RunId);
        });
        Receive<SubscribeAck>(_ => { });
    }
}

public sealed class AkkaJobsSut(string db, JobsSettings? engine = null) : ISystemUnderTest
{
    private WebApplication? _app;
    public HttpClient Http { get; private set; } = null!;
    public string Name => "akka-jobs";
    public IServiceProvider Services => _app!.Services;

    private const int BenchDefinitionBytes = 16 * 1024 * 1024;

    public static WebApplication BuildNode(string db, int port, string http, IReadOnlyList<string> seeds, JobsSettings? engine, bool quietLogs)
    {
        var options = new NodeOptions
        {
            ConfigPath = "(bench)",
            Db = db,
            Hostname = "127.0.0.1",
            Port = port,
            Http = http,
            Seeds = seeds,
            Engine = engine ?? (Environment.GetEnvironmentVariable("BENCH_PREPARE_MS") is { } ms ? new JobsSettings { PrepareAhead = TimeSpan.FromMilliseconds(int.Parse(ms)) } : new JobsSettings()),
            AkkaHocon = quietLogs ? "akka.loglevel = WARNING" : "",
            // S6 registers thousands of jobs as fast as the API answers and one definition of up to 100,000 entities:
            // no rate limit, and body and definition limits that fit it (one in-process node: the definition never
            // crosses a remoting frame).
            ApiLimits = new ApiLimits { RateLimit = RateLimit.Off, MaxRequestBodyBytes = BenchDefinitionBytes },
        };
        options = options with { Engine = options.Engine with { MaxDefinitionBytes = BenchDefinitionBytes } };
        return NodeHost.Build(options, s =>
        {
            s.AddJobHandler<BenchHandler>("bench");
            // Shipped nodes log two lines per run at Information; at 10,000 runs that console output
            // would measure the terminal, so the in-process benchmark node logs warnings only.
            if (quietLogs) s.AddLogging(l => l.AddFilter("Akka.Jobs", LogLevel.Warning));
        });
    }

    public async Task StartAsync()
    {
        _app = BuildNode(db, 0, "http://127.0.0.1:0", [], engine, quietLogs: Environment.GetEnvironmentVariable("BENCH_VERBOSE") != "1");
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
        if (!await Recorder.WaitAsync(() => Ready().GetAwaiter().GetResult(), TimeSpan.FromMinutes(5), 200))
            throw new TimeoutException("akka-jobs node not ready");
        var system = _app.Services.GetRequiredService<ActorSystem>();
        var watcher = system.ActorOf(Props.Create(() => new RunWatcher()), "bench-run-watcher");
        DistributedPubSub.Get(system).Mediator.Tell(new Subscribe(RunTopics.Runs, watcher));
        await Task.Delay(500);
    }

    private async Task<bool> Ready()
    {
        try { using var r = await Http.GetAsync("/readyz"); return r.IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }

    public async Task PutAsync(string id, object body)
    {
        using var r = await Http.PutAsJsonAsync($"/api/jobs/{id}", body);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"PUT {id}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    public Task AddOneOffAsync(IReadOnlyList<string> ids, DateTimeOffset at) =>
        Parallelism.ForEachAsync(ids, 32, id => PutAsync(id, new { schedule = "@at " + at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), handler = "bench" }));

    public Task AddEverySecondAsync(IReadOnlyList<string> ids, DateTimeOffset firstFire) =>
        Parallelism.ForEachAsync(ids, 32, id => PutAsync(id, new { schedule = "@every 1s", handler = "bench" }));

    public Task AddIdleAsync(IReadOnlyList<string> ids) =>
        Parallelism.ForEachAsync(ids, 32, id => PutAsync(id, new { schedule = "0 0 1 1 *", handler = "bench" }));

    public Task AddManualAsync(string id) => PutAsync(id, new { schedule = "manual", handler = "bench" });

    public async Task TriggerAsync(string id)
    {
        using var r = await Http.PostAsync($"/api/jobs/{id}/trigger", null);
        if ((int)r.StatusCode != 202) throw new InvalidOperationException($"trigger {id}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    public async Task<JsonElement> GetAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    public async Task StopAsync()
    {
        if (_app is null) return;
        Http.Dispose();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        }
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

// ------------------------------------------------------------------ Quartz.NET AdoJobStore

public sealed class QuartzBenchJob : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        Recorder.Started(context.JobDetail.Key.Name, context.ScheduledFireTimeUtc);
        Recorder.Finished();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Quartz.NET 4.7.3, JobStoreTX + PostgreSQLDelegate, clustered = true, 10 threads.</summary>
public sealed class QuartzSut(string connectionString, bool tuned) : ISystemUnderTest
{
    private Quartz.IScheduler? _scheduler;
    private StandaloneSchedulerFactory? _factory;
    public string Name => tuned ? "quartz-tuned" : "quartz";

    private async Task<Quartz.IScheduler> Create()
    {
        var p = new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = "bench",
            ["quartz.scheduler.instanceId"] = "AUTO",
            ["quartz.threadPool.maxConcurrency"] = "10",
            ["quartz.jobStore.type"] = "Quartz.Impl.AdoJobStore.JobStoreTX, Quartz",
            ["quartz.jobStore.driverDelegateType"] = "Quartz.Impl.AdoJobStore.PostgreSQLDelegate, Quartz",
            ["quartz.jobStore.tablePrefix"] = "qrtz_",
            ["quartz.jobStore.dataSource"] = "default",
            ["quartz.jobStore.clustered"] = "true",
            ["quartz.dataSource.default.provider"] = "Npgsql",
            ["quartz.dataSource.default.connectionString"] = connectionString,
            ["quartz.serializer.type"] = "stj",
            // Quartz 4.7.3 validates its schema at start (continuations, fire progress, overlap policy…
            // columns added since 4.0); it creates its own tables in the empty benchmark database, as
            // Hangfire.PostgreSql does with PrepareSchemaIfNecessary.
            ["quartz.jobStore.schemaProvisioning"] = "CreateIfMissing",
        };
        if (tuned) p["quartz.scheduler.batchTriggerAcquisitionMaxCount"] = "10";
        _factory = QuartzSchedulerBuilder.Create(_ => { }).UseProperties(p).Build();
        return await _factory.GetScheduler();
    }

    private async Task<Quartz.IScheduler> Sched() => _scheduler ??= await Create();

    public async Task StartAsync() => await (await Sched()).Start();

    public async Task AddOneOffAsync(IReadOnlyList<string> ids, DateTimeOffset at)
    {
        var s = await Sched();
        await Parallelism.ForEachAsync(ids, 10, id => s.ScheduleJob(
            JobBuilder.Create<QuartzBenchJob>().WithIdentity(id).Build(),
            TriggerBuilder.Create().WithIdentity(id).StartAt(at).Build()).AsTask());
    }

    public async Task AddEverySecondAsync(IReadOnlyList<string> ids, DateTimeOffset firstFire)
    {
        var s = await Sched();
        await Parallelism.ForEachAsync(ids, 10, id => s.ScheduleJob(
            JobBuilder.Create<QuartzBenchJob>().WithIdentity(id).Build(),
            TriggerBuilder.Create().WithIdentity(id).StartAt(firstFire).WithSimpleSchedule(x => x.WithInterval(TimeSpan.FromSeconds(1)).RepeatForever()).Build()).AsTask());
    }

    public async Task AddIdleAsync(IReadOnlyList<string> ids)
    {
        var s = await Sched();
        await Parallelism.ForEachAsync(ids, 10, id => s.ScheduleJob(
            JobBuilder.Create<QuartzBenchJob>().WithIdentity(id).Build(),
            TriggerBuilder.Create().WithIdentity(id).WithCronSchedule("0 0 0 1 1 ?").Build()).AsTask());
    }

    public async Task AddManualAsync(string id) =>
        await (await Sched()).AddJob(JobBuilder.Create<QuartzBenchJob>().WithIdentity(id).StoreDurably().Build(), AddJobOptions.Replacing);

    public async Task TriggerAsync(string id) => await (await Sched()).TriggerJob(new JobKey(id));

    public async Task StopAsync()
    {
        if (_scheduler is null) return;
        await _scheduler.Shutdown(waitForJobsToComplete: true);
        _scheduler = null;
        if (_factory is not null) await _factory.DisposeAsync();
        _factory = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

// ------------------------------------------------------------------ Hangfire + Hangfire.PostgreSql

public static class HangfireBenchJob
{
    public static void Run(string key, PerformContext? context)
    {
        DateTimeOffset? scheduled = null;
        var time = context?.GetJobParameter<long?>("Time");
        // Hangfire 1.8 stores the occurrence as a Unix timestamp; seconds in older versions, milliseconds in newer ones.
        if (time is { } t) scheduled = t > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(t) : DateTimeOffset.FromUnixTimeSeconds(t);
        Recorder.Started(key, scheduled);
        Recorder.Finished();
    }
}

/// <summary>Hangfire 1.8.25 on Hangfire.PostgreSql 1.21.1, 10 workers; tuned = 100 ms queue and schedule polling.</summary>
public sealed class HangfireSut(string connectionString, bool tuned) : ISystemUnderTest
{
    private readonly PostgreSqlStorage _storage = CreateStorage(connectionString, tuned);
    private BackgroundJobServer? _server;
    public string Name => tuned ? "hangfire-tuned" : "hangfire";

    private static PostgreSqlStorage CreateStorage(string cs, bool tuned)
    {
        var options = new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true };
        if (tuned) options.QueuePollInterval = TimeSpan.FromMilliseconds(100);
        GlobalConfiguration.Configuration.UseColouredConsoleLogProvider(Hangfire.Logging.LogLevel.Warn);
        return GlobalConfiguration.Configuration.UsePostgreSqlStorage(c => c.UseNpgsqlConnection(cs), options).Entry;
    }

    public Task StartAsync()
    {
        var options = new BackgroundJobServerOptions { WorkerCount = 10 };
        if (tuned) options.SchedulePollingInterval = TimeSpan.FromMilliseconds(100);
        _server = new BackgroundJobServer(options, _storage);
        return Task.CompletedTask;
    }

    private BackgroundJobClient Client => new(_storage);

    public Task AddOneOffAsync(IReadOnlyList<string> ids, DateTimeOffset at)
    {
        var client = Client;
        return Parallelism.ForEachAsync(ids, 10, id => { client.Schedule(() => HangfireBenchJob.Run(id, null), at); return Task.CompletedTask; });
    }

    public Task AddEverySecondAsync(IReadOnlyList<string> ids, DateTimeOffset firstFire)
    {
        var m = new RecurringJobManager(_storage);
        return Parallelism.ForEachAsync(ids, 10, id => { m.AddOrUpdate(id, Job.FromExpression(() => HangfireBenchJob.Run(id, null)), "* * * * * *", new RecurringJobOptions()); return Task.CompletedTask; });
    }

    public Task AddIdleAsync(IReadOnlyList<string> ids)
    {
        var m = new RecurringJobManager(_storage);
        return Parallelism.ForEachAsync(ids, 10, id => { m.AddOrUpdate(id, Job.FromExpression(() => HangfireBenchJob.Run(id, null)), "0 0 1 1 *", new RecurringJobOptions()); return Task.CompletedTask; });
    }

    // Hangfire has no stored manual job; an enqueue is its "run now".
    public Task AddManualAsync(string id) => Task.CompletedTask;

    public Task TriggerAsync(string id)
    {
        Client.Enqueue(() => HangfireBenchJob.Run(id, null));
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        var s = _server;
        _server = null;
        if (s is not null)
        {
            s.SendStop();
            s.Dispose();
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
