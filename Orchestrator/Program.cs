using Akka.Jobs.Orchestrator.Cli;

return await Cli.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable);
