using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Examples.CustomHandler;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Node;
using Microsoft.AspNetCore.Builder;

// A node with one extra handler. Settings come from akka.hocon in the working directory (or
// AKKA_JOBS_CONFIG) and AKKA_JOBS_* environment variables, as for `akka-jobs run`.
WebApplication app;
try
{
    var options = NodeConfigLoader.Load(new NodeArguments(), Environment.GetEnvironmentVariable);
    app = NodeHost.Build(options, s => s.AddJobHandler<WordCountHandler>(WordCountHandler.Name));
    Console.WriteLine($"word-count example: {options.Definitions.Count} jobs from {options.ConfigPath}, API on {options.Http}");
}
catch (ConfigException ex)
{
    Console.Error.WriteLine($"configuration error: {ex.Message}");
    return 2;
}
await app.RunAsync();
return 0;
