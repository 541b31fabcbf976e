using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Contracts.Runs;
using Akka.Jobs.Examples.ExternalService;

// A service outside the Akka.Jobs cluster: it reaches the jobs API actor through the cluster client receptionist,
// registers a job, follows its run events and triggers it. Exit 0 when the run succeeded, 1 otherwise.
var receptionist = args.Length > 0 ? args[0]
    : Environment.GetEnvironmentVariable("AKKA_JOBS_RECEPTIONIST") ?? "akka.tcp://akka-jobs@127.0.0.1:4053/system/receptionist";
var jobId = args.Length > 1 ? args[1] : Environment.GetEnvironmentVariable("AKKA_JOBS_JOB_ID") ?? "external-hello";
var patience = TimeSpan.FromSeconds(60);

using var system = ActorSystem.Create("external-service", ClientConfig.Create());
var client = system.ActorOf(ClusterClient.Props(
    ClusterClientSettings.Create(system).WithInitialContacts([ActorPath.Parse(receptionist)])), "jobs-client");
var jobsApi = new JobsApi(client, patience);

using var deadline = new CancellationTokenSource(patience);
var events = Channel.CreateUnbounded<object>();
var listener = system.ActorOf(RunEventsListener.Props(client, jobId, events.Writer), "run-events");
try
{
    Console.WriteLine($"connecting to {receptionist}");
    // Subscribe first, so the run is followed from its first event.
    while (await events.Reader.ReadAsync(deadline.Token) is not RunEventsSubscribed) { }
    Console.WriteLine($"subscribed to run events of {jobId}");

    var definition = new JobDefinition
    {
        Id = jobId,
        Schedule = "manual",
        Handler = "shell",
        Parameters = JsonSerializer.SerializeToElement(new { command = "echo", args = new[] { "hello from external" } }),
        Description = "registered by examples/ExternalService",
    };
    if (await jobsApi.Send(new RegisterJob(definition)) is not CommandAck registered) return 1;
    Console.WriteLine($"registered {jobId} (created: {registered.Created})");

    if (await jobsApi.Send(new TriggerJob(jobId)) is not CommandAck { RunId: { } runId }) return 1;
    Console.WriteLine($"triggered run {runId}");

    while (true)
    {
        if (await events.Reader.ReadAsync(deadline.Token) is not RunStatusChanged e || e.Run.RunId != runId) continue;
        var run = e.Run;
        var detail = e.Event == RunEvents.AttemptFailed ? $" attempt={e.Attempt} error={e.Error}"
            : run.Output is { Length: > 0 } output ? $" output={output.Trim()}"
            : run.Error is { } error ? $" error={error}" : "";
        Console.WriteLine($"run event {e.Event} run={run.RunId} status={run.Status.ToString().ToLowerInvariant()} attempts={run.Attempts}{detail}");
        if (!e.IsFinal) continue;
        return run.Status == RunStatus.Succeeded ? 0 : 1;
    }
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine($"no answer within {patience.TotalSeconds:0}s from {receptionist}");
    return 1;
}
finally
{
    listener.Tell(RunEventsListener.Stop.Instance);
    await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
}
