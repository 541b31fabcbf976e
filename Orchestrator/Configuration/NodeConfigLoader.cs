using System.Text.Json;
using Akka.Configuration;
using Akka.Jobs.Actors;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Domain.Access;

namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>Values given on the command line; null means "not given".</summary>
public sealed record NodeArguments(
    string? Config = null,
    string? Db = null,
    string? Hostname = null,
    int? Port = null,
    string? Http = null,
    IReadOnlyList<string>? Seeds = null,
    IReadOnlyList<string>? Roles = null,
    string? BindHostname = null,
    string? TlsCertificate = null,
    string? TlsPasswordFile = null);

/// <summary>Builds <see cref="NodeOptions"/> from arguments, environment and the HOCON file.</summary>
public static class NodeConfigLoader
{
    /// <summary>Throws <see cref="ConfigException"/> naming the file, job and field at fault.</summary>
    public static NodeOptions Load(NodeArguments args, Func<string, string?> env)
    {
        // Without an explicit file: akka.hocon in the working directory, else the copy shipped next to the binary.
        var path = args.Config ?? env("AKKA_JOBS_CONFIG")
            ?? (File.Exists("akka.hocon") ? "akka.hocon" : Path.Combine(AppContext.BaseDirectory, "akka.hocon"));
        Config config;
        if (File.Exists(path)) config = HoconJson.ParseFile(path);
        else if (args.Config is not null || env("AKKA_JOBS_CONFIG") is not null) throw new ConfigException($"--config: file '{path}' does not exist");
        else config = Config.Empty;

        var node = config.GetConfig("akka.jobs.node") ?? Config.Empty;
        string? Hocon(string key) => node.HasPath(key) ? node.GetString(key) : null;
        IReadOnlyList<string>? HoconList(string key) => node.HasPath(key) ? node.GetStringList(key).ToList() : null;
        static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
        static IReadOnlyList<string>? Csv(string? s) => s is null ? null : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        var portText = args.Port?.ToString() ?? env("AKKA_JOBS_PORT") ?? Hocon("port");
        var port = 4053;
        if (portText is not null && (!int.TryParse(portText, out port) || port is < 0 or > 65535))
            throw new ConfigException($"port: '{portText}' is not a TCP port (0-65535)");

        var engine = ReadEngine(config.GetConfig("akka.jobs.engine"));
        var tls = RemotingTlsConfig.Read(args, node, env);
        var options = new NodeOptions
        {
            ConfigPath = path,
            Db = DatabaseSetting.Read(args.Db, env, Hocon),
            Hostname = args.Hostname ?? env("AKKA_JOBS_HOSTNAME") ?? Hocon("hostname") ?? "127.0.0.1",
            BindHostname = NullIfBlank(args.BindHostname ?? env("AKKA_JOBS_BIND_HOSTNAME") ?? Hocon("bind-hostname")),
            Port = port,
            Http = args.Http ?? env("AKKA_JOBS_HTTP") ?? Hocon("http") ?? "http://127.0.0.1:8080",
            Seeds = args.Seeds is { Count: > 0 } ? args.Seeds : Csv(env("AKKA_JOBS_SEEDS")) ?? HoconList("seeds") ?? [],
            Roles = args.Roles is { Count: > 0 } ? args.Roles : Csv(env("AKKA_JOBS_ROLES")) ?? HoconList("roles") ?? [],
            Engine = engine,
            Definitions = ReadDefinitions(config, path, engine.MaxDefinitionBytes),
            AkkaHocon = AkkaSection(config),
            Tokens = TokenConfig.Read(config, env),
            Secrets = SecretsConfig.Read(config, env),
            HttpPolicy = HttpPolicyConfig.Read(config),
            Shell = ShellConfig.Read(config),
            ApiLimits = ApiLimitsConfig.Read(config),
            LogFormat = env("AKKA_JOBS_LOG_FORMAT") is { Length: > 0 } format
                ? LogFormatConfig.Read(format, "AKKA_JOBS_LOG_FORMAT")
                : LogFormatConfig.Read(Hocon("log-format"), "akka.jobs.node.log-format"),
            Tls = tls,
            AllowPlaintextRemoting = Flag(env("AKKA_JOBS_ALLOW_PLAINTEXT_REMOTING"), "AKKA_JOBS_ALLOW_PLAINTEXT_REMOTING")
                ?? (node.HasPath("allow-plaintext-remoting") && node.GetBoolean("allow-plaintext-remoting")),
            ActorApiEnabled = Flag(env("AKKA_JOBS_ACTOR_API"), "AKKA_JOBS_ACTOR_API")
                ?? (!config.HasPath("akka.jobs.actor-api.enabled") || config.GetBoolean("akka.jobs.actor-api.enabled")),
            AuditRetention = config.HasPath("akka.jobs.audit.retention") ? config.GetTimeSpan("akka.jobs.audit.retention") : TimeSpan.FromDays(90),
        };
        if (options.AuditRetention <= TimeSpan.Zero) throw new ConfigException("akka.jobs.audit.retention: must be a positive duration such as 90d");
        // One URL: Kestrel reads "a;b" as two, and only the first would be checked below.
        if (options.Http.Any(c => c is ';' or ',' || char.IsWhiteSpace(c)))
            throw new ConfigException($"http: '{options.Http}' must be one URL such as http://127.0.0.1:8080");
        if (!Uri.TryCreate(options.Http, UriKind.Absolute, out var http) || (http.Scheme != "http" && http.Scheme != "https"))
            throw new ConfigException($"http: '{options.Http}' is not an http(s) URL such as http://127.0.0.1:8080");
        if (options.Tokens.IsOpen && !IsLoopback(http))
            throw new ConfigException($"http: the API would listen on {http.Host} with no token configured; set akka.jobs.api.tokens (or AKKA_JOBS_API_TOKENS) or listen on 127.0.0.1");
        var seeds = options.Seeds.Select(seed => RemotingExposure.SeedFor(seed, tls is not null)
            ?? throw new ConfigException($"seed: '{seed}' is not an Akka address such as akka.tcp://akka-jobs@host:4053")).ToList();
        CheckRemotingExposure(options);
        return options with { Seeds = seeds };
    }

    /// <summary>Refuses plain-text remoting beyond loopback unless the operator allowed it (<see cref="RemotingExposure"/>).</summary>
    public static RemotingExposure.Verdict CheckRemotingExposure(NodeOptions options)
    {
        var bind = options.BindHostname ?? options.Hostname;
        var verdict = RemotingExposure.Decide(bind, options.Tls is not null, options.AllowPlaintextRemoting);
        if (verdict == RemotingExposure.Verdict.Refused)
            throw new ConfigException($"remoting: the node would listen on {bind} without TLS, open to anyone who reaches the port; "
                + "set akka.jobs.node.tls.certificate (or AKKA_JOBS_TLS_CERTIFICATE; scripts/make-certs.sh makes one), listen on 127.0.0.1, "
                + "or set akka.jobs.node.allow-plaintext-remoting = on if the network itself authenticates and encrypts");
        return verdict;
    }

    /// <summary>Whether only this machine can reach the URL: 127.0.0.0/8, ::1 or localhost.</summary>
    public static bool IsLoopback(Uri url) => url.IsLoopback || RemotingExposure.IsLoopbackHost(url.Host);

    /// <summary>on/off, true/false, yes/no as HOCON reads them; null when not set.</summary>
    private static bool? Flag(string? text, string key) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        _ => throw new ConfigException($"{key}: '{text}' is not on or off"),
    };

    /// <summary>Reads <c>akka.jobs.definitions</c>: one object per job, keyed by id.</summary>
    public static IReadOnlyList<JobDefinition> ReadDefinitions(Config config, string source, int maxDefinitionBytes = JobDefinitionLimits.DefaultMaxSerializedBytes)
    {
        if (!config.HasPath("akka.jobs.definitions")) return [];
        var root = config.GetValue("akka.jobs.definitions");
        if (!root.IsObject()) throw new ConfigException($"{source}: akka.jobs.definitions must be an object of job-id = {{ … }}");
        var problems = new List<string>();
        var result = new List<JobDefinition>();
        foreach (var (id, value) in root.GetObject().Items)
        {
            if (!value.IsObject())
            {
                problems.Add($"job '{id}': must be an object");
                continue;
            }
            var json = JsonSerializer.SerializeToElement(HoconJson.DefinitionToJson(value));
            var (definition, errors) = JobDefinitionJson.Read(id, json, maxDefinitionBytes);
            if (definition is null) problems.AddRange(errors.Select(e => $"job '{id}': {HoconField(e.Field)}: {e.Message}"));
            else result.Add(definition);
        }
        if (problems.Count > 0)
            throw new ConfigException($"{source}: invalid job definitions:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
        return result;
    }

    /// <summary><c>retry.maxAttempts</c> → <c>retry.max-attempts</c>, as the field is spelled in HOCON; parameter keys stay as written.</summary>
    public static string HoconField(string field)
    {
        var parts = field.Split('.');
        if (parts[0] == "parameters") return field;
        return string.Join('.', parts.Select(p => JobDefinitionJson.Kebab(p)));
    }

    private static JobsSettings ReadEngine(Config? c)
    {
        var s = new JobsSettings();
        if (c is null) return s;
        TimeSpan Span(string key, TimeSpan d) => c.HasPath(key) ? c.GetTimeSpan(key) : d;
        int Int(string key, int d) => c.HasPath(key) ? c.GetInt(key) : d;
        return s with
        {
            SnapshotEvery = Int("snapshot-every", s.SnapshotEvery),
            TickResendAfter = Span("tick-resend-after", s.TickResendAfter),
            CheckpointInterval = Span("checkpoint-interval", s.CheckpointInterval),
            SweepInterval = Span("sweep-interval", s.SweepInterval),
            MisfireThreshold = Span("misfire-threshold", s.MisfireThreshold),
            Shards = Int("shards", s.Shards),
            HeartbeatInterval = Span("heartbeat-interval", s.HeartbeatInterval),
            WorkLease = Span("work-lease", s.WorkLease),
            PassivateIdleAfter = Span("passivate-idle-after", s.PassivateIdleAfter),
            WarmUpAhead = Span("warm-up-ahead", s.WarmUpAhead),
            PrepareAhead = Span("prepare-ahead", s.PrepareAhead),
            WorkerSlots = Positive(c, "worker-slots", s.WorkerSlots),
            ShellSlots = Positive(c, "shell-slots", s.ShellSlots),
            MaxDefinitionBytes = EngineLimits.MaxDefinitionBytes(c, s.MaxDefinitionBytes),
        };
    }

    private static int Positive(Config c, string key, int fallback)
    {
        if (!c.HasPath(key)) return fallback;
        var text = c.GetString(key);
        return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ConfigException($"akka.jobs.engine.{key}: '{text}' is not a positive whole number");
    }

    /// <summary>The file's akka settings other than akka.jobs, passed to the ActorSystem.</summary>
    private static string AkkaSection(Config config)
    {
        if (!config.HasPath("akka")) return "";
        // One way to configure remoting TLS: ours checks the certificate at start, trusts only the cluster's peers and keeps
        // the password out of the ActorSystem's config; raw settings would do none of that, and would defeat the plaintext check.
        foreach (var key in new[] { "akka.remote.dot-netty.tcp.enable-ssl", "akka.remote.dot-netty.tcp.ssl" })
            if (config.HasPath(key)) throw new ConfigException($"{key}: configure remoting TLS with akka.jobs.node.tls {{ certificate, password-file }} instead");
        var akka = config.GetValue("akka");
        if (!akka.IsObject()) return "";
        var parts = akka.GetObject().Items.Where(kv => kv.Key != "jobs").Select(kv => $"akka.{kv.Key} = {kv.Value}");
        return string.Join(Environment.NewLine, parts);
    }
}
