using System.Text.Json;
using Akka.Jobs.Contracts.Jobs;
using Akka.Jobs.Orchestrator.Configuration;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

public sealed class NodeConfigLoaderTests : IDisposable
{
    private const string NodeSection = """
        akka.jobs.node {
          port = 5000
          db = "hocon.db"
          hostname = "10.0.0.1"
          bind-hostname = "0.0.0.0"
          http = "http://127.0.0.1:9000"
          seeds = ["akka.tcp://akka-jobs@10.0.0.1:5000"]
          roles = [hocon-role]
          # Addresses beyond loopback without TLS (RemotingTlsConfigTests covers TLS).
          allow-plaintext-remoting = on
        }
        """;

    private const string Definitions = """
        akka.jobs.definitions {
          shell-job {
            description = "Lists the temp dir"
            schedule = "@every 90s"
            time-zone = "Europe/Berlin"
            handler = shell
            overlap = buffer-one
            misfire = fire-all
            max-catch-up = 12
            max-parallel = 3
            on-interrupt = fail
            timeout = 2m
            entities = [a, b]
            tags = [ops, nightly]
            retry {
              max-attempts = 5
              initial-backoff = 2s
              max-backoff = 1m
              multiplier = 1.5
              non-retryable = [exit-code-2]
            }
            parameters {
              command = "/bin/sh"
              args = ["-c", "ls -l $TARGET_DIR"]
              working-directory = "/tmp"
              env { TARGET_DIR = "/tmp", "X-Kebab-Key" = yes }
            }
          }
          noop-job {
            schedule = manual
            handler = noop
          }
        }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-jobs-unit-" + Guid.NewGuid().ToString("N"));

    public NodeConfigLoaderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string hocon, string name = "node.hocon")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, hocon);
        return path;
    }

    private static Func<string, string?> Env(params (string Key, string Value)[] vars)
    {
        var d = vars.ToDictionary(v => v.Key, v => v.Value);
        return k => d.TryGetValue(k, out var v) ? v : null;
    }

    private static readonly Func<string, string?> NoEnv = Env();

    private NodeOptions Load(string hocon, NodeArguments? args = null, Func<string, string?>? env = null) =>
        NodeConfigLoader.Load((args ?? new NodeArguments()) with { Config = Write(hocon) }, env ?? NoEnv);

    // ------------------------------------------------------------------ definitions

    [Fact]
    public void Definitions_are_read_with_kebab_keys_converted()
    {
        var options = Load(Definitions);

        Assert.Equal(["noop-job", "shell-job"], options.Definitions.Select(d => d.Id).Order());
        var d = options.Definitions.Single(x => x.Id == "shell-job");
        Assert.Equal("@every 90s", d.Schedule);
        Assert.Equal("Europe/Berlin", d.TimeZone);
        Assert.Equal("shell", d.Handler);
        Assert.Equal(OverlapPolicy.BufferOne, d.Overlap);
        Assert.Equal(MisfirePolicy.FireAll, d.Misfire);
        Assert.Equal(InterruptPolicy.Fail, d.OnInterrupt);
        Assert.Equal(12, d.MaxCatchUp);
        Assert.Equal(3, d.MaxParallel);
        Assert.Equal(TimeSpan.FromMinutes(2), d.Timeout);
        Assert.Equal(["a", "b"], d.Entities);
        Assert.Equal(["ops", "nightly"], d.Tags);
        Assert.Equal("Lists the temp dir", d.Description);
        Assert.Equal(5, d.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), d.Retry.InitialBackoff);
        Assert.Equal(TimeSpan.FromMinutes(1), d.Retry.MaxBackoff);
        Assert.Equal(1.5, d.Retry.Multiplier);
        Assert.Equal(["exit-code-2"], d.Retry.NonRetryable);
    }

    [Fact]
    public void Parameters_keep_their_keys_as_written_including_arrays_and_nested_objects()
    {
        var p = Load(Definitions).Definitions.Single(x => x.Id == "shell-job").Parameters;

        Assert.Equal(["command", "args", "working-directory", "env"], p.EnumerateObject().Select(x => x.Name));
        Assert.Equal("/bin/sh", p.GetProperty("command").GetString());
        Assert.Equal(["-c", "ls -l $TARGET_DIR"], p.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("/tmp", p.GetProperty("working-directory").GetString());
        var env = p.GetProperty("env");
        Assert.Equal("/tmp", env.GetProperty("TARGET_DIR").GetString());
        Assert.Equal("yes", env.GetProperty("X-Kebab-Key").GetString());
    }

    [Fact]
    public void Definition_without_parameters_gets_an_empty_object()
    {
        var d = Load(Definitions).Definitions.Single(x => x.Id == "noop-job");

        Assert.Equal(JsonValueKind.Object, d.Parameters.ValueKind);
        Assert.Empty(d.Parameters.EnumerateObject());
    }

    /// <summary>
    /// Documented in the README: Akka's HOCON reader keeps no literal types, so HOCON parameter values
    /// reach handlers as strings (nested objects and arrays keep their shape). A JSON body with numbers
    /// is given as a JSON string or through the API.
    /// </summary>
    [Fact]
    public void Hocon_parameter_literals_reach_the_handler_as_strings_inside_their_objects_and_arrays()
    {
        var d = Load("""
            akka.jobs.definitions.hook {
              schedule = hourly
              handler = http
              parameters { url = "https://example.com", body { count = 3, dry = false, tags = [a, b] } }
            }
            """).Definitions.Single();

        var body = d.Parameters.GetProperty("body");
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.Equal("3", body.GetProperty("count").GetString());
        Assert.Equal("false", body.GetProperty("dry").GetString());
        Assert.Equal(["a", "b"], body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public void Invalid_definition_throws_naming_the_file_the_job_and_the_field()
    {
        var hocon = """
            akka.jobs.definitions {
              good { schedule = hourly, handler = noop }
              bad-job {
                schedule = hourly
                handler = noop
                retry { max-attempts = 0 }
              }
            }
            """;

        var ex = Assert.Throws<ConfigException>(() => Load(hocon));

        Assert.Contains(Path.Combine(_dir, "node.hocon"), ex.Message);
        Assert.Contains("job 'bad-job': retry.max-attempts: must be between 1 and 100, got 0", ex.Message);
        Assert.DoesNotContain("'good'", ex.Message);
    }

    [Fact]
    public void Every_invalid_definition_is_listed()
    {
        var hocon = """
            akka.jobs.definitions {
              one { schedule = hourly, handler = noop, timeout = "ten minutes" }
              two { schedule = hourly, handler = noop, overlap = sometimes }
              three { schedule = hourly, handler = noop, max-paralel = 2 }
              four = 5
            }
            """;

        var ex = Assert.Throws<ConfigException>(() => Load(hocon));

        Assert.Contains("job 'one': timeout:", ex.Message);
        Assert.Contains("job 'two': overlap: 'sometimes' is not one of: forbid, allow, replace, buffer-one", ex.Message);
        Assert.Contains("job 'three': max-paralel: unknown field", ex.Message);
        Assert.Contains("job 'four': must be an object", ex.Message);
    }

    [Fact]
    public void Configured_definitions_meet_the_same_caps_as_the_api()
    {
        var entities = string.Join(", ", Enumerable.Range(0, 7_000).Select(i => $"\"entity-{i:00000}\""));
        var hocon = $$"""
            akka.jobs.definitions {
              wordy { schedule = hourly, handler = noop, description = "{{new string('d', 2_001)}}" }
              forged { schedule = hourly, handler = noop, entities = ["a\n[FAKE] forged line"] }
              tagged { schedule = hourly, handler = noop, tags = [{{string.Join(", ", Enumerable.Range(0, 33).Select(i => $"t{i}"))}}] }
              huge { schedule = hourly, handler = noop, entities = [{{entities}}] }
            }
            """;

        var ex = Assert.Throws<ConfigException>(() => Load(hocon));

        Assert.Contains("job 'wordy': description: is 2,001 characters; at most 2,000", ex.Message);
        Assert.Contains("job 'forged': entities: entries must not contain control characters", ex.Message);
        Assert.Contains("job 'tagged': tags: has 33 tags; at most 32", ex.Message);
        Assert.Matches("job 'huge': definition: is [0-9,]+ bytes serialized; at most 65,536 fit a cluster message", ex.Message);
    }

    [Fact]
    public void A_node_that_raises_the_definition_size_loads_a_larger_configured_definition()
    {
        var entities = string.Join(", ", Enumerable.Range(0, 7_000).Select(i => $"\"entity-{i:00000}\""));
        var options = Load($$"""
            akka.jobs.engine.max-definition-size = 1m
            akka.jobs.definitions { huge { schedule = hourly, handler = noop, entities = [{{entities}}] } }
            """);
        Assert.Equal(1024 * 1024, options.Engine.MaxDefinitionBytes);
        Assert.Equal(7_000, Assert.Single(options.Definitions).Entities.Count);
    }

    [Fact]
    public void Definitions_that_are_not_an_object_are_rejected()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("akka.jobs.definitions = [1, 2]"));

        Assert.Contains("akka.jobs.definitions must be an object", ex.Message);
    }

    [Fact]
    public void File_without_definitions_has_none() =>
        Assert.Empty(Load(NodeSection).Definitions);

    // ------------------------------------------------------------------ precedence

    [Fact]
    public void Hocon_values_are_used_when_nothing_else_is_given()
    {
        var o = Load(NodeSection);

        Assert.Equal(5000, o.Port);
        Assert.Equal("hocon.db", o.Db);
        Assert.Equal("10.0.0.1", o.Hostname);
        Assert.Equal("0.0.0.0", o.BindHostname);
        Assert.Equal("http://127.0.0.1:9000", o.Http);
        Assert.Equal(["akka.tcp://akka-jobs@10.0.0.1:5000"], o.Seeds);
        Assert.Equal(["hocon-role"], o.Roles);
    }

    [Fact]
    public void Defaults_apply_when_no_source_gives_a_value()
    {
        var o = Load("");

        Assert.Equal(4053, o.Port);
        Assert.Equal("data/akka-jobs.db", o.Db);
        Assert.Equal("127.0.0.1", o.Hostname);
        Assert.Null(o.BindHostname);
        Assert.Equal("http://127.0.0.1:8080", o.Http);
        Assert.Empty(o.Seeds);
        Assert.Empty(o.Roles);
    }

    private static readonly Func<string, string?> FullEnv = Env(
        ("AKKA_JOBS_PORT", "6000"),
        ("AKKA_JOBS_DB", "env.db"),
        ("AKKA_JOBS_HOSTNAME", "10.0.0.2"),
        ("AKKA_JOBS_BIND_HOSTNAME", "10.0.0.20"),
        ("AKKA_JOBS_HTTP", "http://127.0.0.1:9100"),
        ("AKKA_JOBS_SEEDS", "akka.tcp://akka-jobs@10.0.0.2:6000, akka.tcp://akka-jobs@10.0.0.3:6000"),
        ("AKKA_JOBS_ROLES", "env-a,env-b"),
        // A non-loopback API needs a token.
        ("AKKA_JOBS_API_TOKENS", """[{"name":"ops","role":"admin","token":"0123456789abcdef0123"}]"""));

    [Fact]
    public void Environment_beats_hocon()
    {
        var o = Load(NodeSection, env: FullEnv);

        Assert.Equal(6000, o.Port);
        Assert.Equal("env.db", o.Db);
        Assert.Equal("10.0.0.2", o.Hostname);
        Assert.Equal("10.0.0.20", o.BindHostname);
        Assert.Equal("http://127.0.0.1:9100", o.Http);
        Assert.Equal(["akka.tcp://akka-jobs@10.0.0.2:6000", "akka.tcp://akka-jobs@10.0.0.3:6000"], o.Seeds);
        Assert.Equal(["env-a", "env-b"], o.Roles);
    }

    [Fact]
    public void Arguments_beat_environment_and_hocon()
    {
        var args = new NodeArguments(
            Db: "args.db", Hostname: "10.0.0.9", Port: 7000, Http: "https://0.0.0.0:9443",
            Seeds: ["akka.tcp://akka-jobs@10.0.0.9:7000"], Roles: ["args-role"], BindHostname: "10.0.0.90");

        var o = Load(NodeSection, args, FullEnv);

        Assert.Equal(7000, o.Port);
        Assert.Equal("args.db", o.Db);
        Assert.Equal("10.0.0.9", o.Hostname);
        Assert.Equal("10.0.0.90", o.BindHostname);
        Assert.Equal("https://0.0.0.0:9443", o.Http);
        Assert.Equal(["akka.tcp://akka-jobs@10.0.0.9:7000"], o.Seeds);
        Assert.Equal(["args-role"], o.Roles);
    }

    [Fact]
    public void Empty_argument_lists_fall_back_to_the_environment()
    {
        var o = Load(NodeSection, new NodeArguments(Seeds: [], Roles: []), FullEnv);

        Assert.Equal(2, o.Seeds.Count);
        Assert.Equal(["env-a", "env-b"], o.Roles);
    }

    [Fact]
    public void Config_path_from_the_environment_is_used_when_no_argument_is_given()
    {
        var path = Write(NodeSection, "from-env.hocon");

        var o = NodeConfigLoader.Load(new NodeArguments(), Env(("AKKA_JOBS_CONFIG", path)));

        Assert.Equal(path, o.ConfigPath);
        Assert.Equal(5000, o.Port);
    }

    [Fact]
    public void Engine_settings_are_read_from_hocon()
    {
        var o = Load("akka.jobs.engine { snapshot-every = 50, misfire-threshold = 10s, tick-resend-after = 500ms, shards = 30 }");

        Assert.Equal(50, o.Engine.SnapshotEvery);
        Assert.Equal(TimeSpan.FromSeconds(10), o.Engine.MisfireThreshold);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.Engine.TickResendAfter);
        Assert.Equal(30, o.Engine.Shards);
    }

    [Fact]
    public void Shell_policy_and_worker_slots_are_read_from_hocon()
    {
        var o = Load("""
            akka.jobs.engine { worker-slots = 500, shell-slots = 3 }
            akka.jobs.shell { enabled = on, tenants = [ops, batch], run-as = [nobody], pass-env = [HTTP_PROXY, NO_PROXY] }
            """);

        Assert.Equal((500, 3), (o.Engine.WorkerSlots, o.Engine.ShellSlots));
        Assert.True(o.Shell.Enabled);
        Assert.Equal(["batch", "ops"], o.Shell.Tenants!.Order());
        Assert.Equal(["nobody"], o.Shell.RunAs);
        Assert.Equal(["HTTP_PROXY", "NO_PROXY"], o.Shell.PassEnv);
    }

    [Fact]
    public void Without_a_shell_section_shell_is_open_to_every_tenant_with_nothing_passed_through()
    {
        var o = Load("akka.jobs.shell.enabled = off");

        Assert.False(o.Shell.Enabled);
        Assert.Null(Load("akka.jobs.engine.shards = 10").Shell.Tenants);
        Assert.Empty(Load("akka.jobs.engine.shards = 10").Shell.PassEnv);
    }

    [Theory]
    [InlineData("akka.jobs.shell.enabled = maybe", "akka.jobs.shell.enabled")]
    [InlineData("akka.jobs.shell.pass_env = [X]", "akka.jobs.shell.pass_env")]
    [InlineData("akka.jobs.shell.pass-env = [AKKA_JOBS_DB]", "akka.jobs.shell.pass-env")]
    [InlineData("akka.jobs.shell.pass-env = [\"A=B\"]", "akka.jobs.shell.pass-env")]
    [InlineData("akka.jobs.shell.run-as = [\"-u root\"]", "akka.jobs.shell.run-as")]
    [InlineData("akka.jobs.shell.tenants = []", "akka.jobs.shell.tenants")]
    [InlineData("akka.jobs.engine.worker-slots = 0", "akka.jobs.engine.worker-slots")]
    [InlineData("akka.jobs.engine.shell-slots = many", "akka.jobs.engine.shell-slots")]
    public void Bad_shell_and_slot_settings_are_rejected_naming_the_key(string hocon, string key)
    {
        var ex = Assert.Throws<ConfigException>(() => Load(hocon));

        Assert.StartsWith(key + ":", ex.Message);
    }

    [Theory]
    [InlineData("BILLING_TOKEN")]
    [InlineData("BILLING_TOKEN_FILE")]
    public void Pass_env_may_not_hand_out_a_variable_that_holds_a_secret(string variable)
    {
        var hocon = $"akka.jobs.secrets.billing {{ env = BILLING_TOKEN, tenants = [billing] }}\nakka.jobs.shell.pass-env = [{variable}]";
        var ex = Assert.Throws<ConfigException>(() => Load(hocon, env: name => name == "BILLING_TOKEN" ? "billing-token-value" : null));

        Assert.StartsWith("akka.jobs.shell.pass-env:", ex.Message);
        Assert.Contains("secret 'billing'", ex.Message);
        Assert.DoesNotContain("billing-token-value", ex.Message);
    }

    [Fact]
    public void Akka_settings_other_than_akka_jobs_are_passed_on()
    {
        var o = Load(NodeSection + "\nakka.loglevel = DEBUG\n");

        Assert.Contains("akka.loglevel = DEBUG", o.AkkaHocon);
        Assert.DoesNotContain("akka.jobs", o.AkkaHocon);
    }

    // ------------------------------------------------------------------ bad values

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("65536")]
    public void Bad_port_from_the_environment_is_rejected(string port)
    {
        var ex = Assert.Throws<ConfigException>(() => Load("", env: Env(("AKKA_JOBS_PORT", port))));

        Assert.StartsWith($"port: '{port}'", ex.Message);
    }

    [Theory]
    [InlineData("arguments", "70000")]
    [InlineData("hocon", "eighty")]
    public void Bad_port_from_arguments_or_hocon_is_rejected(string source, string port)
    {
        var ex = Assert.Throws<ConfigException>(() => source == "arguments"
            ? Load("", new NodeArguments(Port: int.Parse(port)))
            : Load($"akka.jobs.node.port = {port}"));

        Assert.StartsWith($"port: '{port}'", ex.Message);
    }

    [Theory]
    [InlineData("arguments", "10.0.0.1:4053", "10.0.0.1:4053")]
    [InlineData("arguments", "akka://akka-jobs@10.0.0.1:4053", "akka://akka-jobs@10.0.0.1:4053")]
    [InlineData("environment", "akka.tcp://ok@h:1,nope", "nope")]
    public void Bad_seed_is_rejected_naming_it(string source, string seeds, string bad)
    {
        var ex = Assert.Throws<ConfigException>(() => source == "arguments"
            ? Load("", new NodeArguments(Seeds: seeds.Split(',')))
            : Load("", env: Env(("AKKA_JOBS_SEEDS", seeds))));

        Assert.StartsWith($"seed: '{bad}'", ex.Message);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("127.0.0.1:8080")]
    public void Bad_http_url_is_rejected(string http) =>
        Assert.StartsWith("http:", Assert.Throws<ConfigException>(() => Load("", new NodeArguments(Http: http))).Message);

    [Theory]
    [InlineData("arguments")]
    [InlineData("environment")]
    public void Missing_config_file_is_rejected_naming_it(string source)
    {
        var missing = Path.Combine(_dir, "missing.hocon");

        var ex = Assert.Throws<ConfigException>(() => source == "arguments"
            ? NodeConfigLoader.Load(new NodeArguments(Config: missing), NoEnv)
            : NodeConfigLoader.Load(new NodeArguments(), Env(("AKKA_JOBS_CONFIG", missing))));

        Assert.Contains("--config", ex.Message);
        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public void Hocon_that_fails_to_parse_is_rejected_naming_the_file()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("akka.jobs.node.port = ${undefined.port}"));

        Assert.Contains(Path.Combine(_dir, "node.hocon"), ex.Message);
    }
}
