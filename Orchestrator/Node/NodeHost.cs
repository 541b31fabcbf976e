using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Domain.Scheduler;
using Akka.Jobs.Actors.Scheduler;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Orchestrator.Api;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Security;

namespace Akka.Jobs.Orchestrator.Node;

/// <summary>Builds a node: the ActorSystem, the HTTP API and health endpoints, on one web host.</summary>
public static class NodeHost
{
    /// <summary>
    /// Builds (does not start) a node. <paramref name="configureServices"/> adds custom handlers or
    /// replaces the clock. Throws <see cref="ConfigException"/> when a definition is invalid.
    /// </summary>
    public static WebApplication Build(NodeOptions options, Action<IServiceCollection>? configureServices = null)
    {
        ProcessHardening.HideFromSameUser(Environment.GetEnvironmentVariable);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Http);
        // The node listens where its options say and nowhere else: Kestrel endpoints from the environment or an
        // appsettings file (Kestrel__Endpoints__…) would bypass the loopback rule for an API without tokens.
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Configure(new ConfigurationBuilder().Build(), reloadOnChange: false);
            k.Limits.MaxRequestBodySize = options.ApiLimits.TransportMaxRequestBodyBytes;
        });
        builder.Logging.AddNodeConsole(options.LogFormat);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Akka.Jobs", LogLevel.Information);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddAkkaJobs(options);
        builder.Services.AddApiRateLimit(options.ApiLimits.RateLimit);
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        CheckDefinitions(options, app.Services);
        UseJsonErrors(app);
        app.UseRequestHygiene();
        app.UseApiAuthentication();
        app.MapHealth();
        app.MapJobsApi();
        app.MapClusterApi();
        app.MapClusterCommandsApi();
        app.MapClusterEventsApi();
        app.MapShardingApi();
        app.MapAuditApi();
        app.MapRunsApi();
        // The watcher records member up-times from the start, not from the first API call.
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<MemberUpTimes>());
        app.Lifetime.ApplicationStarted.Register(() => StopIfOpenBeyondLoopback(app, options));
        return app;
    }

    /// <summary>
    /// Error replies the endpoints do not write themselves are JSON too: a routing 404/405 (or any other 4xx/5xx with no
    /// body) gets <c>{"error": "..."}</c>, and an exception no endpoint handled a last-resort 500 that says where to look
    /// (the exception itself is logged by the handler, never sent).
    /// </summary>
    private static void UseJsonErrors(WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context =>
                Results.Json(new { error = "internal error, see the node log" }, ApiJson.Options, statusCode: 500).ExecuteAsync(context),
        });
        app.UseStatusCodePages(async pages =>
        {
            var context = pages.HttpContext;
            var request = context.Request;
            var target = ApiQuery.Clip(request.Path.ToString());
            var error = context.Response.StatusCode switch
            {
                404 => $"no such endpoint: {request.Method} {target}",
                405 => $"method {ApiQuery.Clip(request.Method)} is not allowed on {target}",
                var status => $"{status} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status)}".TrimEnd(),
            };
            await Results.Json(new { error }, ApiJson.Options, statusCode: context.Response.StatusCode).ExecuteAsync(context);
        });
    }

    /// <summary>
    /// The last line of the loopback rule: whatever bound the server, an API without tokens listening on a non-loopback
    /// address stops the node at once.
    /// </summary>
    private static void StopIfOpenBeyondLoopback(WebApplication app, NodeOptions options)
    {
        if (!options.Tokens.IsOpen) return;
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        var open = addresses.Where(a => !Uri.TryCreate(a, UriKind.Absolute, out var u) || !NodeConfigLoader.IsLoopback(u)).ToList();
        if (open.Count == 0) return;
        app.Logger.LogCritical("Stopping: the API listens on {Addresses} with no token configured; set akka.jobs.api.tokens or listen on 127.0.0.1",
            string.Join(", ", open));
        _ = app.StopAsync();
    }

    /// <summary>Rejects the node's start when a configured definition cannot be stored (unknown handler, bad schedule…).</summary>
    private static void CheckDefinitions(NodeOptions options, IServiceProvider services)
    {
        var handlers = services.GetRequiredService<JobHandlerRegistry>();
        var shell = services.GetRequiredService<ShellPolicy>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var problems = options.Definitions
            .SelectMany(d => DefinitionCheck.Validate(d, handlers.Names, shell, now, isNew: false, handlers.Secrets, options.Engine.MaxDefinitionBytes).Select(e => $"job '{d.Id}': {NodeConfigLoader.HoconField(e.Field)}: {e.Message}"))
            .ToList();
        if (problems.Count > 0)
            throw new ConfigException($"{options.ConfigPath}: invalid job definitions:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
    }
}
