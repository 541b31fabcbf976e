using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Orchestrator.Node;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace Akka.Jobs.Tests.Docker;

/// <summary>
/// docker/compose.yaml and docker/Dockerfile, checked without a Docker engine: the files are read and
/// cross-checked, and the image's entry point is run from the same <c>dotnet publish</c> output with
/// node1's environment from compose (only what cannot be the same outside Docker is substituted).
/// </summary>
public sealed class ComposeFileTests(ComposeFileTests.PublishFixture publish, ITestOutputHelper output)
    : IClassFixture<ComposeFileTests.PublishFixture>
{
    private static string Repo => RepoRoot.Path;
    private static string ComposeDir => Path.Combine(Repo, "docker");
    private static Compose ComposeFile => Compose.Load(Path.Combine(ComposeDir, "compose.yaml"));
    private static Dockerfile Image => Dockerfile.Load(Path.Combine(Repo, "docker", "Dockerfile"));

    /// <summary>The services that run the image built from this repository: the cluster's nodes.</summary>
    private static IReadOnlyList<string> NodeServices =>
        ComposeFile.Services.Where(s => s.Value.ContainsKey("build")).Select(s => s.Key).Order().ToList();

    public static TheoryData<string> Nodes() => new(ComposeFile.Services.Where(s => s.Value.ContainsKey("build")).Select(s => s.Key).Order());

    /// <summary>
    /// What the node in <paramref name="service"/> reads at start: the image's ENV overlaid by the service's
    /// environment, and the config file it finds in the image's WORKDIR (or AKKA_JOBS_CONFIG), resolved
    /// through the service's bind mounts to the file on this machine; loaded by the production loader.
    /// </summary>
    private static (NodeOptions Options, Dictionary<string, string> Env) LoadNode(string service)
    {
        var node = ComposeFile.Services[service];
        var env = new Dictionary<string, string>(Image.Env);
        foreach (var (key, value) in Compose.Env(node)) env[key] = SecretOnThisMachine(service, Interpolate(value));
        var inContainer = env.GetValueOrDefault("AKKA_JOBS_CONFIG") is { } c
            ? (c.StartsWith('/') ? c : $"{Image.Workdir}/{c}")
            : $"{Image.Workdir}/akka.hocon";
        var mount = Compose.List(node, "volumes").Select(v => v.Split(':')).SingleOrDefault(v => v[1] == inContainer);
        Assert.True(mount is not null, $"{service}: {inContainer} is not mounted, so the node would use the image's copy");
        var hostFile = Path.GetFullPath(Path.Combine(ComposeDir, mount![0]));
        Assert.True(File.Exists(hostFile), $"{service}: mounted {hostFile} does not exist");
        var lookup = new Dictionary<string, string>(env);
        lookup.Remove("AKKA_JOBS_CONFIG"); // resolved above, as a path on this machine
        return (NodeConfigLoader.Load(new NodeArguments(Config: hostFile), k => lookup.GetValueOrDefault(k)), env);
    }

    private static int HttpPort(NodeOptions options) => new Uri(options.Http).Port;

    /// <summary>What a user sets before <c>docker compose up</c>: the variables compose requires (<c>${NAME:?…}</c>).</summary>
    private static readonly Dictionary<string, string> UserEnv = new()
    {
        ["AKKA_JOBS_API_TOKENS"] = """[{"name":"admin","role":"admin","token":"compose-test-token-0123456789"}]""",
    };

    /// <summary>
    /// Where compose mounts secrets (<c>/run/secrets/NAME</c>), a service reads the file the top-level secret NAME names; that
    /// file is one scripts/make-certs.sh writes into docker/certs/, so here it is the copy the script wrote for this test run.
    /// </summary>
    private static string SecretOnThisMachine(string service, string value)
    {
        const string mounted = "/run/secrets/";
        if (!value.StartsWith(mounted, StringComparison.Ordinal)) return value;
        var name = value[mounted.Length..];
        Assert.True(Compose.List(ComposeFile.Services[service], "secrets").Contains(name), $"{service}: {value} is not one of its secrets");
        var file = Compose.Str(Compose.Map(Compose.Map(ComposeFile.Root, "secrets"), name), "file");
        Assert.True(file.StartsWith("./certs/", StringComparison.Ordinal), $"secret {name}: {file} is not one scripts/make-certs.sh writes (./certs/…)");
        return Path.Combine(MadeCerts.Value, file["./certs/".Length..]);
    }

    /// <summary>scripts/make-certs.sh run once into a temp folder, as a user runs it into docker/certs/.</summary>
    private static readonly Lazy<string> MadeCerts = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "akka-jobs-compose-certs-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Repo, "scripts", "make-certs.sh"));
        psi.ArgumentList.Add(dir);
        using var process = Process.Start(psi)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"scripts/make-certs.sh exited with {process.ExitCode}: {errors.Result}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        return dir;
    });

    /// <summary>The address a node advertises, in the scheme its remoting speaks.</summary>
    private static string Advertised(NodeOptions o) =>
        $"{(o.Tls is null ? RemotingExposure.PlainScheme : RemotingExposure.TlsScheme)}{AkkaJobsNode.SystemName}@{o.Hostname}:{o.Port}";

    /// <summary>Compose's <c>${NAME:?message}</c>: the user's value, or a failure naming the variable the user must set.</summary>
    private static string Interpolate(string value)
    {
        var m = System.Text.RegularExpressions.Regex.Match(value, @"^\$\{(\w+):\?(.+)\}$");
        if (!m.Success) return value;
        Assert.True(UserEnv.TryGetValue(m.Groups[1].Value, out var set), $"compose requires {m.Groups[1].Value}, which the test does not set");
        return set!;
    }

    // ------------------------------------------------------------------ compose.yaml

    [Fact]
    public void Compose_runs_at_least_three_nodes_of_this_image_and_one_postgres_with_a_persistent_volume()
    {
        var services = ComposeFile.Services;
        Assert.True(NodeServices.Count >= 3, $"a cluster of {NodeServices.Count} node(s): {string.Join(", ", NodeServices)}");
        var pg = Assert.Single(services, s => Compose.StrOrNull(s.Value, "image")?.StartsWith("postgres:", StringComparison.Ordinal) == true).Value;
        var pgEnv = Compose.Env(pg);
        Assert.False(string.IsNullOrEmpty(pgEnv.GetValueOrDefault("POSTGRES_PASSWORD")));
        // The data directory is a named volume declared at the top level, so a restart keeps the journal.
        var data = Assert.Single(Compose.List(pg, "volumes"), v => v.Split(':')[1] == "/var/lib/postgresql/data").Split(':')[0];
        Assert.Contains(data, Compose.Map(ComposeFile.Root, "volumes").Keys);
        // Its health check asks the server itself (what depends_on: service_healthy waits for).
        Assert.Contains("pg_isready", string.Join(' ', Compose.List(Compose.Map(pg, "healthcheck"), "test")));
    }

    [Theory]
    [MemberData(nameof(Nodes))]
    public void Node_environment_loads_through_the_node_config_loader_and_advertises_the_service_name(string service)
    {
        var (options, _) = LoadNode(service);

        // Other containers reach the node by its service name; it must advertise exactly that.
        Assert.Equal(service, options.Hostname);
        // Remoting and HTTP listen on the container's interfaces, not only on loopback (or the service name).
        Assert.Equal("0.0.0.0", options.BindHostname);
        Assert.Equal("0.0.0.0", new Uri(options.Http).Host);
        // The job definitions the node registers at start are valid (the loader rejects invalid ones).
        Assert.NotEmpty(options.Definitions);
    }

    [Theory]
    [MemberData(nameof(Nodes))]
    public void Node_remoting_is_mutual_tls_with_the_certificate_make_certs_writes_which_stays_out_of_git_and_the_image(string service)
    {
        var (options, _) = LoadNode(service);

        // Loaded by the production loader from the files the script wrote: the password file opens the .pfx.
        Assert.NotNull(options.Tls);
        Assert.True(options.Tls.Certificate.HasPrivateKey);
        Assert.False(options.AllowPlaintextRemoting);
        Assert.All(options.Seeds, seed => Assert.StartsWith(RemotingExposure.TlsScheme, seed));
        foreach (var file in Compose.Map(ComposeFile.Root, "secrets").Values.Cast<Dictionary<string, object?>>().Select(s => Compose.Str(s, "file")))
            Assert.StartsWith("./certs/", file);
        Assert.Contains("docker/certs/", File.ReadAllLines(Path.Combine(Repo, ".gitignore")));
        Assert.Contains("docker/certs/", File.ReadAllLines(Path.Combine(Repo, ".dockerignore")));
    }

    [Fact]
    public void Every_node_advertises_a_distinct_address()
    {
        var addresses = NodeServices.Select(n => LoadNode(n).Options).Select(o => $"{o.Hostname}:{o.Port}").ToList();
        Assert.Equal(addresses.Count, addresses.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Nodes))]
    public void Node_database_is_the_postgres_service_it_waits_for_with_that_services_credentials(string service)
    {
        var (options, _) = LoadNode(service);
        var db = new Npgsql.NpgsqlConnectionStringBuilder(options.Db);

        Assert.True(ComposeFile.Services.TryGetValue(db.Host!, out var pg), $"{service}: database host '{db.Host}' is not a compose service");
        var pgEnv = Compose.Env(pg!);
        Assert.Equal(pgEnv["POSTGRES_PASSWORD"], db.Password);
        Assert.Equal(pgEnv.GetValueOrDefault("POSTGRES_DB") ?? pgEnv.GetValueOrDefault("POSTGRES_USER") ?? "postgres", db.Database);
        Assert.Equal(pgEnv.GetValueOrDefault("POSTGRES_USER") ?? "postgres", db.Username);
        Assert.Equal(5432, db.Port); // the port postgres listens on inside its container
        Assert.Equal("service_healthy", Compose.Str(Compose.Map(Compose.Map(ComposeFile.Services[service], "depends_on"), db.Host!), "condition"));
    }

    [Fact]
    public void Seeds_name_node_services_at_the_address_each_advertises_in_the_same_order_everywhere()
    {
        var nodes = NodeServices.ToDictionary(n => n, n => LoadNode(n).Options);
        var advertised = nodes.Values.Select(Advertised).ToHashSet();

        var seedLists = nodes.Values.Select(o => o.Seeds).ToList();
        Assert.All(seedLists, seeds => Assert.Equal(seedLists[0], seeds));
        Assert.NotEmpty(seedLists[0]);
        Assert.All(seedLists[0], seed => Assert.Contains(seed, advertised));
        Assert.Equal(seedLists[0].Count, seedLists[0].Distinct().Count());
    }

    [Fact]
    public void Nodes_other_than_the_first_seed_start_once_the_first_seed_is_healthy()
    {
        // Only the first seed forms a new cluster; the others must find it up (and its journal tables created).
        var nodes = NodeServices.ToDictionary(n => n, n => LoadNode(n).Options);
        var first = nodes.Single(n => Advertised(n.Value) == n.Value.Seeds[0]).Key;
        Assert.False(Compose.Map(ComposeFile.Services[first], "depends_on").ContainsKey(first));
        foreach (var other in nodes.Keys.Where(n => n != first))
            Assert.Equal("service_healthy", Compose.Str(Compose.Map(Compose.Map(ComposeFile.Services[other], "depends_on"), first), "condition"));
    }

    [Fact]
    public void Published_ports_are_loopback_only_distinct_and_reach_each_nodes_http_port()
    {
        var hostPorts = new List<int>();
        foreach (var service in NodeServices)
        {
            var (options, _) = LoadNode(service);
            var published = Assert.Single(Compose.List(ComposeFile.Services[service], "ports")).Split(':');
            Assert.Equal(3, published.Length); // ip:host:container, so the bind address is explicit
            Assert.Equal("127.0.0.1", published[0]);
            Assert.Equal(HttpPort(options), int.Parse(published[2]));
            hostPorts.Add(int.Parse(published[1]));
        }
        Assert.Equal(hostPorts.Count, hostPorts.Distinct().Count());
        foreach (var (name, service) in ComposeFile.Services.Where(s => !NodeServices.Contains(s.Key)))
            Assert.False(service.ContainsKey("ports"), $"{name} must not be published");
    }

    [Theory]
    [MemberData(nameof(Nodes))]
    public void Node_health_check_asks_the_nodes_own_http_port_with_a_tool_the_image_installs(string service)
    {
        var (options, _) = LoadNode(service);
        var test = Compose.List(Compose.Map(ComposeFile.Services[service], "healthcheck"), "test");
        Assert.Equal("CMD", test[0]);
        Assert.Contains(test[1], Image.Instruction("RUN", "apt-get").Split(' '));
        var url = new Uri(Assert.Single(test, a => a.StartsWith("http", StringComparison.Ordinal)));
        Assert.True(url.IsLoopback, $"{url} is not the container itself");
        Assert.Equal(HttpPort(options), url.Port);
        // That the API serves this path (with 200 once ready) is checked against a running node below.
        Assert.Contains(url.AbsolutePath, HealthPaths());
    }

    /// <summary>The health URLs' paths named by compose and the Dockerfile, for the running-node test.</summary>
    private static IReadOnlyList<string> HealthPaths()
    {
        var fromCompose = NodeServices.SelectMany(n => Compose.List(Compose.Map(ComposeFile.Services[n], "healthcheck"), "test"));
        var fromImage = Image.Instruction("HEALTHCHECK", "").Split(' ');
        return fromCompose.Concat(fromImage).Where(a => a.StartsWith("http", StringComparison.Ordinal))
            .Select(a => new Uri(a).AbsolutePath).Distinct().Order().ToList();
    }

    [Fact]
    public void Every_file_compose_names_exists()
    {
        foreach (var name in NodeServices)
        {
            var node = ComposeFile.Services[name];
            var build = Compose.Map(node, "build");
            var context = Path.GetFullPath(Path.Combine(ComposeDir, Compose.Str(build, "context")));
            Assert.Equal(Path.TrimEndingDirectorySeparator(Repo), Path.TrimEndingDirectorySeparator(context));
            var dockerfile = Path.Combine(context, Compose.Str(build, "dockerfile"));
            Assert.True(File.Exists(dockerfile), $"{name}: {dockerfile} does not exist");

            foreach (var volume in Compose.List(node, "volumes"))
            {
                var source = volume.Split(':')[0];
                if (!source.StartsWith('.') && !source.StartsWith('/')) continue; // a named volume
                var path = Path.GetFullPath(Path.Combine(ComposeDir, source));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{name}: mounted {path} does not exist");
            }
        }
        Assert.True(File.Exists(Path.Combine(Repo, ".dockerignore")), ".dockerignore is missing at the build context");
        var ignore = File.ReadAllLines(Path.Combine(Repo, ".dockerignore")).Select(l => l.Trim()).ToList();
        foreach (var entry in new[] { "bin/", "obj/", "TestResults/", "data/", ".git" })
            Assert.Contains(ignore, l => l == entry || l == "**/" + entry);
    }

    [Fact]
    public async Task The_mounted_akka_hocon_is_the_file_the_image_already_contains()
    {
        var publishDir = await publish.OutputAsync();
        var inImage = Path.Combine(publishDir, Path.GetRelativePath(Image.Publish.OutDir, $"{Image.Workdir}/akka.hocon"));
        Assert.True(File.Exists(inImage), $"{inImage} is not in the publish output");
        foreach (var service in NodeServices)
        {
            var (options, _) = LoadNode(service);
            Assert.Equal(await File.ReadAllTextAsync(inImage), await File.ReadAllTextAsync(options.ConfigPath));
        }
    }

    // ------------------------------------------------------------------ Dockerfile

    [Fact]
    public void Dockerfile_publishes_an_existing_project_for_this_repositorys_dotnet_and_runs_it_as_non_root()
    {
        var image = Image;
        var framework = Regex.Match(File.ReadAllText(Path.Combine(Repo, "Directory.Build.props")), @"<TargetFramework>net(?<v>[\d.]+)</TargetFramework>").Groups["v"].Value;
        Assert.NotEmpty(framework);

        Assert.StartsWith($"mcr.microsoft.com/dotnet/sdk:{framework}", image.Stages[0]);
        Assert.StartsWith($"mcr.microsoft.com/dotnet/aspnet:{framework}", image.Stages[^1]);
        var (project, outDir) = image.Publish;
        Assert.True(File.Exists(Path.Combine(Repo, project)), $"the publish command names {project}, which does not exist");
        Assert.Contains(" -c Release", image.Instruction("RUN", "dotnet publish"));
        Assert.Contains($"--from=build {outDir} ", image.Instruction("COPY", "--from=build") + " ");
        Assert.Equal(outDir, image.Workdir); // the node finds akka.hocon in its working directory
        Assert.Equal(["dotnet", $"{outDir}/akka-jobs.dll", "run"], image.Entrypoint);
        // Job time zones need the tz database, which the aspnet image lacks.
        Assert.Contains("tzdata", image.Instruction("RUN", "apt-get").Split(' '));
        Assert.DoesNotMatch("^(root|0)$", image.Instruction("USER", ""));
        // The default SQLite folder belongs to that user alone (0700), as the node makes it outside the image.
        var data = image.Instruction("RUN", "mkdir -p /app/data");
        Assert.Contains("chown \"$APP_UID\" /app/data", data);
        Assert.Matches(@"\bchmod 0?700 /app/data\b", data);
    }

    [Fact]
    public void Image_environment_alone_makes_a_node_listen_on_the_exposed_ports_on_all_interfaces()
    {
        var env = Image.Env;
        // Listening on every interface, the image's node refuses to start until it is given API tokens…
        var refused = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(new NodeArguments(Config: Path.Combine(Repo, "akka.hocon")), k => env.GetValueOrDefault(k)));
        Assert.Contains("no token configured", refused.Message);
        // …and its remoting certificate…
        refused = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(new NodeArguments(Config: Path.Combine(Repo, "akka.hocon")), k => env.GetValueOrDefault(k) ?? UserEnv.GetValueOrDefault(k)));
        Assert.StartsWith("remoting: the node would listen on 0.0.0.0 without TLS", refused.Message);
        // …and starts with them.
        var tls = new Dictionary<string, string>
        {
            ["AKKA_JOBS_TLS_CERTIFICATE"] = Path.Combine(MadeCerts.Value, "node.pfx"),
            ["AKKA_JOBS_TLS_PASSWORD_FILE"] = Path.Combine(MadeCerts.Value, "node.pfx.password"),
        };
        var options = NodeConfigLoader.Load(new NodeArguments(Config: Path.Combine(Repo, "akka.hocon")),
            k => env.GetValueOrDefault(k) ?? UserEnv.GetValueOrDefault(k) ?? tls.GetValueOrDefault(k));
        var exposed = Image.Instruction("EXPOSE", "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order();

        Assert.Equal(new[] { options.Port, HttpPort(options) }.Order(), exposed);
        Assert.Equal("0.0.0.0", options.BindHostname);
        Assert.Equal("0.0.0.0", new Uri(options.Http).Host);
        var healthUrl = new Uri(Assert.Single(Image.Instruction("HEALTHCHECK", "").Split(' '), a => a.StartsWith("http", StringComparison.Ordinal)));
        Assert.True(healthUrl.IsLoopback);
        Assert.Equal(HttpPort(options), healthUrl.Port);
        Assert.Contains(Image.Instruction("HEALTHCHECK", "").Split(' ').SkipWhile(a => a != "CMD").Skip(1).First(),
            Image.Instruction("RUN", "apt-get").Split(' '));
    }

    // ------------------------------------------------------------------ the node itself

    [Fact]
    public async Task Node1_command_line_and_environment_from_compose_start_a_working_node_from_the_publish_output()
    {
        var publishDir = await publish.OutputAsync();
        output.WriteLine($"publish output: {publishDir} (dotnet publish took {publish.Duration.TotalSeconds:F1}s)");
        var image = Image;
        var entry = image.Entrypoint;
        Assert.Equal("dotnet", entry[0]);
        var dll = Path.Combine(publishDir, Path.GetRelativePath(image.Publish.OutDir, entry[1]));
        Assert.True(File.Exists(dll), $"{dll} is not in the publish output");
        Assert.True(File.Exists(Path.Combine(publishDir, "akka.hocon")), "akka.hocon is not in the publish output");

        // The environment the container gets: the image's ENV overlaid by the first node's compose environment.
        var composeEnv = LoadNode(NodeServices[0]).Env;
        var remotingPort = NodeProcess.FreePort();
        var httpPort = NodeProcess.FreePort();
        var substitutes = new Dictionary<string, string>
        {
            ["AKKA_JOBS_DB"] = TestDatabases.NewPostgresDatabase(),
            ["AKKA_JOBS_HOSTNAME"] = "127.0.0.1",
            ["AKKA_JOBS_PORT"] = remotingPort.ToString(),
            ["AKKA_JOBS_SEEDS"] = $"{RemotingExposure.TlsScheme}akka-jobs@127.0.0.1:{remotingPort}",
            ["AKKA_JOBS_HTTP"] = $"http://127.0.0.1:{httpPort}",
        };
        var env = new Dictionary<string, string>(composeEnv);
        foreach (var (key, value) in substitutes)
        {
            output.WriteLine($"substituted {key}: {composeEnv.GetValueOrDefault(key) ?? "(unset)"} -> {value}");
            env[key] = value;
        }
        foreach (var key in env.Keys.Except(substitutes.Keys).Order())
            output.WriteLine($"kept        {key}={env[key]}");

        // The image's WORKDIR is the publish output, where akka.hocon sits (compose mounts the same file there).
        var psi = new ProcessStartInfo(entry[0])
        {
            WorkingDirectory = publishDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var arg in entry.Skip(2)) psi.ArgumentList.Add(arg);
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("AKKA_JOBS_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        foreach (var (key, value) in env) psi.Environment[key] = value;
        output.WriteLine($"started: dotnet {string.Join(' ', psi.ArgumentList)} (in {publishDir})");

        var log = new StringBuilder();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Log() { lock (log) return log.ToString(); }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(10) };
        // The token compose's user sets; health paths answer without it.
        http.DefaultRequestHeaders.Authorization = new("Bearer", "compose-test-token-0123456789");
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            // Every path the compose and image health checks ask answers 200 once the node is ready.
            var healthPaths = HealthPaths();
            Assert.NotEmpty(healthPaths);
            foreach (var path in healthPaths)
            {
                await Poll($"{path} 200", TimeSpan.FromSeconds(90), process, Log, async () =>
                {
                    using var r = await http.GetAsync(path);
                    return r.IsSuccessStatusCode;
                });
                output.WriteLine($"{path} 200 after {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1}s");
            }
            Assert.Contains($"node 127.0.0.1:{remotingPort} (listening on 0.0.0.0), remoting over mutual TLS", Log());

            var samples = NodeConfigLoader.ReadDefinitions(HoconJson.ParseFile(Path.Combine(publishDir, "akka.hocon")), "akka.hocon")
                .Select(d => d.Id).Order().ToArray();
            Assert.NotEmpty(samples);
            string[] listed = [];
            await Poll($"/api/jobs lists {string.Join(", ", samples)}", TimeSpan.FromSeconds(60), process, Log, async () =>
            {
                var jobs = await http.GetFromJsonAsync<JsonElement>("/api/jobs");
                listed = jobs.EnumerateArray().Select(j => j.GetProperty("definition").GetProperty("id").GetString()!).Order().ToArray();
                return samples.All(listed.Contains);
            });
            output.WriteLine($"/api/jobs: {string.Join(", ", listed)}");

            JsonElement cluster = default;
            await Poll("/api/cluster shows 1 member up", TimeSpan.FromSeconds(30), process, Log, async () =>
            {
                cluster = await http.GetFromJsonAsync<JsonElement>("/api/cluster");
                var members = cluster.GetProperty("members").EnumerateArray().ToList();
                return members.Count == 1 && members[0].GetProperty("status").GetString() == "up";
            });
            // Remoting listens on AKKA_JOBS_BIND_HOSTNAME (0.0.0.0, as in the container) but the node
            // advertises AKKA_JOBS_HOSTNAME: its address is the one its seed names.
            Assert.Equal(substitutes["AKKA_JOBS_SEEDS"], cluster.GetProperty("self").GetString());
            Assert.Equal(substitutes["AKKA_JOBS_SEEDS"], cluster.GetProperty("members")[0].GetProperty("address").GetString());
            output.WriteLine($"/api/cluster: {cluster}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            output.WriteLine($"node ran {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1}s; last output:");
            output.WriteLine(string.Join(Environment.NewLine, Log().Split('\n').TakeLast(15)));
        }
    }

    private static async Task Poll(string what, TimeSpan timeout, Process process, Func<string> log, Func<Task<bool>> check)
    {
        var until = TimeProvider.System.GetUtcNow() + timeout;
        Exception? last = null;
        while (TimeProvider.System.GetUtcNow() < until)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the node exited with {process.ExitCode} while waiting for {what}:\n{log()}");
            try
            {
                if (await check()) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                last = ex;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"no {what} within {timeout} (last error: {last?.Message}):\n{log()}");
    }

    // ------------------------------------------------------------------ support

    /// <summary>Runs <c>dotnet publish</c> of the Dockerfile's project once for the class, on first use.</summary>
    public sealed class PublishFixture : IAsyncLifetime
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-jobs-publish-" + Guid.NewGuid().ToString("N"));
        private readonly SemaphoreSlim _gate = new(1, 1);
        private bool _published;

        public TimeSpan Duration { get; private set; }

        public async Task<string> OutputAsync()
        {
            await _gate.WaitAsync();
            try
            {
                if (_published) return _dir;
                var (project, _) = Dockerfile.Load(Path.Combine(RepoRoot.Path, "docker", "Dockerfile")).Publish;
                var psi = new ProcessStartInfo("dotnet")
                {
                    WorkingDirectory = RepoRoot.Path,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                // As the Dockerfile does; build servers off so no MSBuild node outlives the command.
                foreach (var a in new[] { "publish", project, "-c", "Release", "-o", _dir, "--nologo", "--disable-build-servers", "-nodeReuse:false" })
                    psi.ArgumentList.Add(a);
                foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
                    psi.Environment.Remove(key);
                psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
                psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

                var started = TimeProvider.System.GetTimestamp();
                using var process = Process.Start(psi)!;
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
                try
                {
                    await process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"dotnet publish did not finish within 4 minutes:\n{await stdout}\n{await stderr}");
                }
                Duration = TimeProvider.System.GetElapsedTime(started);
                if (process.ExitCode != 0)
                    throw new InvalidOperationException($"dotnet publish exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
                _published = true;
                return _dir;
            }
            finally
            {
                _gate.Release();
            }
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public Task DisposeAsync()
        {
            try
            {
                if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
            }
            _gate.Dispose();
            return Task.CompletedTask;
        }
    }

    private static class RepoRoot
    {
        public static string Path { get; } = Find();

        private static string Find()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Akka.Jobs.sln")))
                    return dir.FullName;
            throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} contains Akka.Jobs.sln");
        }
    }

    /// <summary>compose.yaml as plain dictionaries, lists and strings, with YAML merge keys (<c>&lt;&lt;</c>) applied.</summary>
    private sealed record Compose(Dictionary<string, object?> Root)
    {
        public Dictionary<string, Dictionary<string, object?>> Services =>
            Map(Root, "services").ToDictionary(kv => kv.Key, kv => (Dictionary<string, object?>)kv.Value!);

        public static Compose Load(string path)
        {
            var yaml = new YamlStream();
            using (var reader = File.OpenText(path)) yaml.Load(reader);
            return new Compose((Dictionary<string, object?>)Convert(yaml.Documents.Single().RootNode)!);
        }

        private static object? Convert(YamlNode node) => node switch
        {
            YamlScalarNode s => s.Value,
            YamlSequenceNode seq => seq.Children.Select(Convert).ToList(),
            YamlMappingNode map => ConvertMap(map),
            _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
        };

        private static Dictionary<string, object?> ConvertMap(YamlMappingNode map)
        {
            var result = new Dictionary<string, object?>();
            // Merged mappings first; keys written in this mapping then win, as compose does it.
            foreach (var (key, value) in map.Children.Where(c => ((YamlScalarNode)c.Key).Value == "<<"))
            {
                var sources = value is YamlSequenceNode seq ? seq.Children.ToList() : [value];
                foreach (var source in sources)
                    foreach (var (k, v) in ConvertMap((YamlMappingNode)source))
                        result.TryAdd(k, v);
            }
            foreach (var (key, value) in map.Children.Where(c => ((YamlScalarNode)c.Key).Value != "<<"))
                result[((YamlScalarNode)key).Value!] = Convert(value);
            return result;
        }

        public static Dictionary<string, object?> Map(Dictionary<string, object?> m, string key) =>
            m.TryGetValue(key, out var v) && v is Dictionary<string, object?> d ? d : throw new KeyNotFoundException($"'{key}' is missing or not a mapping");

        public static string? StrOrNull(Dictionary<string, object?> m, string key) => m.GetValueOrDefault(key) as string;

        public static string Str(Dictionary<string, object?> m, string key) =>
            m.TryGetValue(key, out var v) && v is string s ? s : throw new KeyNotFoundException($"'{key}' is missing or not a string");

        public static IReadOnlyList<string> List(Dictionary<string, object?> m, string key) =>
            m.TryGetValue(key, out var v) && v is List<object?> l ? l.Cast<string>().ToList() : throw new KeyNotFoundException($"'{key}' is missing or not a list");

        /// <summary>A service's environment, in mapping or KEY=VALUE list form.</summary>
        public static Dictionary<string, string> Env(Dictionary<string, object?> service) => service.GetValueOrDefault("environment") switch
        {
            Dictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => kv.Value as string ?? ""),
            List<object?> l => l.Cast<string>().Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
            _ => [],
        };
    }

    /// <summary>The Dockerfile's instructions, continuation lines joined.</summary>
    private sealed record Dockerfile(IReadOnlyList<(string Keyword, string Args)> Instructions)
    {
        public static Dockerfile Load(string path)
        {
            var instructions = new List<(string, string)>();
            var current = new StringBuilder();
            foreach (var raw in File.ReadAllLines(path))
            {
                var line = raw.Trim();
                if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#'))) continue;
                if (line.StartsWith('#')) continue;
                if (line.EndsWith('\\'))
                {
                    current.Append(line[..^1]).Append(' ');
                    continue;
                }
                current.Append(line);
                var text = current.ToString().Trim();
                current.Clear();
                var space = text.IndexOf(' ');
                instructions.Add((text[..space].ToUpperInvariant(), Regex.Replace(text[(space + 1)..], @"\s+", " ").Trim()));
            }
            return new Dockerfile(instructions);
        }

        public IReadOnlyList<string> Stages => Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Args).ToList();

        private IEnumerable<(string Keyword, string Args)> FinalStage => Instructions.Skip(Instructions.ToList().FindLastIndex(i => i.Keyword == "FROM"));

        /// <summary>The final stage's working directory, where the node starts.</summary>
        public string Workdir => FinalStage.Last(i => i.Keyword == "WORKDIR").Args;

        /// <summary>The final stage's ENV (KEY=VALUE form), i.e. the container's environment before compose's.</summary>
        public Dictionary<string, string> Env => FinalStage.Where(i => i.Keyword == "ENV")
            .SelectMany(i => i.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1].Trim('"') : "");

        /// <summary>The arguments of the one instruction with this keyword whose arguments contain <paramref name="containing"/>.</summary>
        public string Instruction(string keyword, string containing) =>
            Instructions.Single(i => i.Keyword == keyword && i.Args.Contains(containing, StringComparison.Ordinal)).Args;

        /// <summary>The project and output folder of <c>RUN dotnet publish &lt;project&gt; … -o &lt;dir&gt;</c>.</summary>
        public (string Project, string OutDir) Publish
        {
            get
            {
                var m = Regex.Match(Instruction("RUN", "dotnet publish"), @"dotnet publish (?<project>\S+\.csproj)\b.*?-o (?<out>\S+)");
                Assert.True(m.Success, "RUN dotnet publish <project>.csproj … -o <dir> not found in the Dockerfile");
                return (m.Groups["project"].Value, m.Groups["out"].Value);
            }
        }

        public string[] Entrypoint => JsonSerializer.Deserialize<string[]>(Instruction("ENTRYPOINT", ""))!;
    }
}
