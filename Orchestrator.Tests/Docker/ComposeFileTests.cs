using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Jobs.Orchestrator.Configuration;
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
    private static readonly string[] Nodes = ["node1", "node2", "node3"];

    private static readonly string[] RequiredNodeEnv =
        ["AKKA_JOBS_DB", "AKKA_JOBS_HOSTNAME", "AKKA_JOBS_PORT", "AKKA_JOBS_SEEDS", "AKKA_JOBS_HTTP"];

    private static string Repo => RepoRoot.Path;
    private static string ComposeDir => Path.Combine(Repo, "docker");
    private static Compose ComposeFile => Compose.Load(Path.Combine(ComposeDir, "compose.yaml"));
    private static Dockerfile Image => Dockerfile.Load(Path.Combine(Repo, "docker", "Dockerfile"));

    // ------------------------------------------------------------------ compose.yaml

    [Fact]
    public void Compose_has_postgres_and_three_nodes()
    {
        var services = ComposeFile.Services;

        Assert.Equal(["node1", "node2", "node3", "postgres"], services.Keys.Order());
        var pg = services["postgres"];
        Assert.StartsWith("postgres:15", Compose.Str(pg, "image"));
        var pgEnv = Compose.Env(pg);
        Assert.False(string.IsNullOrEmpty(pgEnv.GetValueOrDefault("POSTGRES_PASSWORD")));
        Assert.False(string.IsNullOrEmpty(pgEnv.GetValueOrDefault("POSTGRES_DB")));
        Assert.Contains(Compose.List(pg, "volumes"), v => v.StartsWith("pgdata:", StringComparison.Ordinal));
        Assert.True(ComposeFile.Root.ContainsKey("volumes") && ((Dictionary<string, object?>)ComposeFile.Root["volumes"]!).ContainsKey("pgdata"));
        Assert.Contains("pg_isready", string.Join(' ', Compose.List(Compose.Map(pg, "healthcheck"), "test")));
    }

    [Fact]
    public void Every_node_has_the_required_environment_and_its_own_hostname()
    {
        var pgEnv = Compose.Env(ComposeFile.Services["postgres"]);
        foreach (var name in Nodes)
        {
            var env = Compose.Env(ComposeFile.Services[name]);
            foreach (var key in RequiredNodeEnv)
                Assert.False(string.IsNullOrWhiteSpace(env.GetValueOrDefault(key)), $"{name}: {key} is missing");

            Assert.Equal(name, env["AKKA_JOBS_HOSTNAME"]);
            Assert.Equal("4053", env["AKKA_JOBS_PORT"]);
            Assert.Equal("http://0.0.0.0:8080", env["AKKA_JOBS_HTTP"]);
            Assert.Equal("0.0.0.0", env.GetValueOrDefault("AKKA_JOBS_BIND_HOSTNAME"));

            // The database is the postgres service, with its password and database name.
            var db = new Npgsql.NpgsqlConnectionStringBuilder(env["AKKA_JOBS_DB"]);
            Assert.Equal("postgres", db.Host);
            Assert.Equal(pgEnv["POSTGRES_PASSWORD"], db.Password);
            Assert.Equal(pgEnv["POSTGRES_DB"], db.Database);

            // The options the node will really read from this environment are valid.
            var options = NodeConfigLoader.Load(new NodeArguments(Config: Path.Combine(Repo, "akka.hocon")), k => env.GetValueOrDefault(k));
            Assert.Equal(name, options.Hostname);
            Assert.Equal("0.0.0.0", options.BindHostname);
        }
    }

    [Fact]
    public void Seeds_list_all_three_nodes_by_service_name_in_the_same_order_everywhere()
    {
        var expected = Nodes.Select(n => $"akka.tcp://akka-jobs@{n}:4053").ToArray();
        foreach (var name in Nodes)
        {
            var seeds = Compose.Env(ComposeFile.Services[name])["AKKA_JOBS_SEEDS"]
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(expected, seeds);
        }
    }

    [Fact]
    public void Nodes_wait_for_a_healthy_postgres_and_have_a_readyz_health_check()
    {
        foreach (var name in Nodes)
        {
            var node = ComposeFile.Services[name];
            var dependsOn = Compose.Map(node, "depends_on");
            Assert.Equal("service_healthy", Compose.Str(Compose.Map(dependsOn, "postgres"), "condition"));

            var test = string.Join(' ', Compose.List(Compose.Map(node, "healthcheck"), "test"));
            Assert.Contains("curl", test);
            Assert.Contains("http://127.0.0.1:8080/readyz", test);
        }
    }

    [Fact]
    public void Published_ports_are_8081_to_8083_on_loopback_only_and_map_to_the_api_port()
    {
        for (var i = 0; i < Nodes.Length; i++)
        {
            var ports = Compose.List(ComposeFile.Services[Nodes[i]], "ports");
            Assert.Equal([$"127.0.0.1:{8081 + i}:8080"], ports);
        }
        Assert.False(ComposeFile.Services["postgres"].ContainsKey("ports"), "postgres must not be published");
    }

    [Fact]
    public void Every_file_compose_names_exists()
    {
        foreach (var name in Nodes)
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
    public void The_mounted_akka_hocon_is_the_file_the_image_already_contains()
    {
        var mounts = Compose.List(ComposeFile.Services["node1"], "volumes");
        var hocon = Assert.Single(mounts, m => m.Split(':')[1] == "/app/akka.hocon");
        var source = Path.GetFullPath(Path.Combine(ComposeDir, hocon.Split(':')[0]));
        Assert.Equal(Path.Combine(Repo, "akka.hocon"), source);
        // The csproj copies the repository's akka.hocon next to the binary, i.e. into the image's /app.
        var csproj = File.ReadAllText(Path.Combine(Repo, "Orchestrator", "Akka.Jobs.Orchestrator.csproj"));
        Assert.Matches("""<None Include="\.\.\\akka\.hocon"[^>]*CopyToOutputDirectory""", csproj);
    }

    // ------------------------------------------------------------------ Dockerfile

    [Fact]
    public void Dockerfile_publishes_an_existing_project_and_runs_akka_jobs_dll_run()
    {
        var image = Image;

        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", image.Stages[0]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", image.Stages[^1]);
        var (project, outDir) = image.Publish;
        Assert.True(File.Exists(Path.Combine(Repo, project)), $"the publish command names {project}, which does not exist");
        Assert.Contains(" -c Release", image.Instruction("RUN", "dotnet publish"));

        Assert.Equal(["dotnet", $"{outDir}/akka-jobs.dll", "run"], image.Entrypoint);
        Assert.Contains($"--from=build {outDir} ", image.Instruction("COPY", "--from=build") + " ");
        Assert.Contains("tzdata", image.Instruction("RUN", "apt-get"));
        Assert.Contains("curl", image.Instruction("RUN", "apt-get"));
        Assert.Contains("/healthz", image.Instruction("HEALTHCHECK", ""));
        Assert.Equal(["4053", "8080"], image.Instruction("EXPOSE", "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Contains("AKKA_JOBS_HTTP=http://0.0.0.0:8080", image.Instruction("ENV", "AKKA_JOBS_HTTP"));
        var user = image.Instruction("USER", "");
        Assert.DoesNotMatch("^(root|0)$", user);
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

        var composeEnv = Compose.Env(ComposeFile.Services["node1"]);
        var remotingPort = NodeProcess.FreePort();
        var httpPort = NodeProcess.FreePort();
        var substitutes = new Dictionary<string, string>
        {
            ["AKKA_JOBS_DB"] = TestDatabases.NewPostgresDatabase(),
            ["AKKA_JOBS_HOSTNAME"] = "127.0.0.1",
            ["AKKA_JOBS_PORT"] = remotingPort.ToString(),
            ["AKKA_JOBS_SEEDS"] = $"akka.tcp://akka-jobs@127.0.0.1:{remotingPort}",
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
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await Poll("/readyz 200", TimeSpan.FromSeconds(90), process, Log, async () =>
            {
                using var r = await http.GetAsync("/readyz");
                return r.IsSuccessStatusCode;
            });
            output.WriteLine($"/readyz 200 after {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1}s");
            Assert.Contains($"node 127.0.0.1:{remotingPort} (listening on 0.0.0.0)", Log());

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
