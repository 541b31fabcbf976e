using System.CommandLine;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Node;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary><c>akka-jobs run</c>: starts a node (scheduler, job actors, workers, HTTP API) and runs until stopped.</summary>
public static class RunCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<string, string?> env)
    {
        var config = new Option<string?>("--config") { Description = "HOCON file with node settings and job definitions (default akka.hocon; env AKKA_JOBS_CONFIG)" };
        var db = new Option<string?>("--db") { Description = "SQLite file path or PostgreSQL connection string (env AKKA_JOBS_DB, or AKKA_JOBS_DB_FILE naming a file that holds it)" };
        var hostname = new Option<string?>("--hostname") { Description = "Address other nodes reach this one at (env AKKA_JOBS_HOSTNAME)" };
        var bindHostname = new Option<string?>("--bind-hostname") { Description = "Address remoting listens on, e.g. 0.0.0.0 in a container; the node still advertises --hostname (default: --hostname; env AKKA_JOBS_BIND_HOSTNAME)" };
        var port = new Option<int?>("--port") { Description = "Akka remoting port (default 4053; env AKKA_JOBS_PORT)" };
        var http = new Option<string?>("--http") { Description = "HTTP API/dashboard URL (default http://127.0.0.1:8080; env AKKA_JOBS_HTTP)" };
        var seeds = new Option<string[]>("--seed") { Description = "Seed node address akka.tcp://akka-jobs@host:port, repeatable (env AKKA_JOBS_SEEDS, comma-separated)" };
        var roles = new Option<string[]>("--roles") { Description = "Cluster roles, repeatable (env AKKA_JOBS_ROLES)" };
        var tlsCertificate = new Option<string?>("--tls-certificate") { Description = "PKCS#12 (.pfx) certificate for mutual TLS between nodes; required to listen beyond loopback (env AKKA_JOBS_TLS_CERTIFICATE)" };
        var tlsPasswordFile = new Option<string?>("--tls-password-file") { Description = "File holding the .pfx password (env AKKA_JOBS_TLS_PASSWORD_FILE)" };

        var run = new Command("run", "Run a node: scheduler, job actors, workers, HTTP API") { config, db, hostname, bindHostname, port, http, seeds, roles, tlsCertificate, tlsPasswordFile };
        run.SetAction(async (parse, ct) =>
        {
            NodeOptions options;
            WebApplication app;
            try
            {
                options = NodeConfigLoader.Load(new NodeArguments(
                    parse.GetValue(config), parse.GetValue(db), parse.GetValue(hostname), parse.GetValue(port), parse.GetValue(http),
                    parse.GetValue(seeds), parse.GetValue(roles), parse.GetValue(bindHostname),
                    parse.GetValue(tlsCertificate), parse.GetValue(tlsPasswordFile)), env);
                app = NodeHost.Build(options);
            }
            catch (ConfigException ex)
            {
                stderr.WriteLine($"akka-jobs: configuration error: {ex.Message}");
                return ExitCodes.Usage;
            }
            catch (ArgumentException ex)
            {
                stderr.WriteLine($"akka-jobs: {ex.Message}");
                return ExitCodes.Usage;
            }
            var banner = $"akka-jobs: node {options.Hostname}:{options.Port}{(options.BindHostname is null ? "" : $" (listening on {options.BindHostname})")}{(options.Tls is null ? "" : ", remoting over mutual TLS")}, database {Akka.Jobs.Persistence.DatabaseTarget.Parse(options.Db).Display}, API {options.Http}, {options.Definitions.Count} jobs in {options.ConfigPath}";
            // A JSON log is read by machines: every line of it is one JSON object, the banner too.
            stdout.WriteLine(options.LogFormat == LogFormat.Json ? System.Text.Json.JsonSerializer.Serialize(new { LogLevel = "Information", Category = "akka-jobs", Message = banner }) : banner);
            await app.RunAsync();
            return ExitCodes.Ok;
        });
        return run;
    }
}
