using System.Reflection;
using System.Text;
using Akka.Jobs.Actors;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Domain.Outbound;
using Akka.Jobs.Domain.Secrets;
using Akka.Jobs.Domain.Definitions;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>
/// Everything a node needs to start. Each value comes from (first wins) the command line, an
/// <c>AKKA_JOBS_*</c> environment variable, <c>akka.jobs.node.*</c> in the HOCON file, or the default.
/// </summary>
public sealed record NodeOptions
{
    public string ConfigPath { get; init; } = "akka.hocon";
    public string Db { get; init; } = DatabaseSetting.Default;
    public string Hostname { get; init; } = "127.0.0.1";
    /// <summary>
    /// Address remoting listens on when it differs from <see cref="Hostname"/> (e.g. 0.0.0.0 in a
    /// container); the node still advertises <see cref="Hostname"/>. Null: listen on <see cref="Hostname"/>.
    /// </summary>
    public string? BindHostname { get; init; }
    public int Port { get; init; } = 4053;
    public string Http { get; init; } = "http://127.0.0.1:8080";
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = [];
    public JobsSettings Engine { get; init; } = new();
    /// <summary>Job definitions from <c>akka.jobs.definitions</c>, registered (or updated) at start.</summary>
    public IReadOnlyList<JobDefinition> Definitions { get; init; } = [];
    /// <summary>Bearer tokens of the API (<c>akka.jobs.api.tokens</c>); none: anonymous access, loopback only.</summary>
    public ApiTokens Tokens { get; init; } = ApiTokens.None;
    /// <summary>Named secrets the handlers may use (<c>akka.jobs.secrets</c>); values are read at start.</summary>
    public SecretStore Secrets { get; init; } = SecretStore.Empty;
    /// <summary>Where the http handler may connect (<c>akka.jobs.http</c>, <c>akka.jobs.tenants.*.http</c>).</summary>
    public OutboundPolicy HttpPolicy { get; init; } = OutboundPolicy.Default;
    /// <summary>What the shell handler may do on this node (<c>akka.jobs.shell</c>).</summary>
    public ShellPolicy Shell { get; init; } = ShellPolicy.Default;
    /// <summary>How long audit entries are kept (<c>akka.jobs.audit.retention</c>).</summary>
    public TimeSpan AuditRetention { get; init; } = TimeSpan.FromDays(90);
    /// <summary>Body size, rate limit and host names of the HTTP API (<c>akka.jobs.api.*</c>).</summary>
    public ApiLimits ApiLimits { get; init; } = new();
    /// <summary>The console log's format (<c>akka.jobs.node.log-format</c>).</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;
    /// <summary>Mutual TLS for remoting (<c>akka.jobs.node.tls</c>); null: plain TCP, which only a loopback address may use.</summary>
    public Remoting.RemotingTls? Tls { get; init; }
    /// <summary>
    /// <c>akka.jobs.node.allow-plaintext-remoting</c>: plain TCP remoting beyond loopback, for a network that authenticates
    /// and encrypts by itself (a service mesh); the node logs a warning at start.
    /// </summary>
    public bool AllowPlaintextRemoting { get; init; }
    /// <summary>
    /// <c>akka.jobs.actor-api.enabled</c> (env <c>AKKA_JOBS_ACTOR_API</c>): <c>/user/jobs-api</c> and the cluster client
    /// receptionist. Off: a node serves its jobs through the HTTP API (tokens, roles, audit) only.
    /// </summary>
    public bool ActorApiEnabled { get; init; } = true;
    /// <summary>Extra HOCON for the ActorSystem (the file's <c>akka</c> section without <c>akka.jobs</c>).</summary>
    public string AkkaHocon { get; init; } = "";

    /// <summary>
    /// What <see cref="ToString"/> prints: every public property, as the generated method would, but <see cref="Db"/> as
    /// its display form (a PostgreSQL connection string carries a password, and a record is easily logged or shown).
    /// </summary>
    private bool PrintMembers(StringBuilder builder)
    {
        var first = true;
        foreach (var p in typeof(NodeOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!first) builder.Append(", ");
            first = false;
            builder.Append(p.Name).Append(" = ").Append(p.Name == nameof(Db) ? DbDisplay(Db) : p.GetValue(this));
        }
        return true;
    }

    /// <summary>The database as the banner names it (no password), or <c>***</c> when it cannot be read.</summary>
    private static string DbDisplay(string db)
    {
        try
        {
            return Persistence.DatabaseTarget.Parse(db).Display;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or NotSupportedException or KeyNotFoundException)
        {
            return ParameterRedaction.Hidden;
        }
    }
}
