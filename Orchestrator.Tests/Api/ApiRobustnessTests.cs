using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Jobs.Tests.Api;

/// <summary>
/// Robustness of the HTTP API against malformed requests: well over a thousand generated requests (random bytes,
/// truncated, oversized and deeply nested JSON, invalid escapes and lone surrogates, a wrong JSON type for every field
/// of a definition and of the pause body, wrong content types, path tricks, odd query values, huge headers, wrong
/// methods on every route) are sent to a real node, once without tokens and once with an admin token. Each reply must be
/// below 500, every 4xx must carry a JSON <c>{"error": "..."}</c>, the node must still be ready and serve a valid
/// request afterwards, and the stored jobs and runs must be unchanged. The node with tokens also gets malformed
/// Authorization headers (each a 401 that never echoes the token) and well-formed calls its viewer and tenant-limited
/// tokens may not make. Random requests come from a seed printed in the output and on failure;
/// <c>AKKA_JOBS_FUZZ_SEED</c> reproduces a run. Kestrel's own bodyless refusals (400 for %00 in the path, 414, 431) are
/// accepted and listed in the output: no middleware runs for them.
/// </summary>
public sealed class ApiRobustnessTests(NodeFixture fixture, ITestOutputHelper output) : IClassFixture<NodeFixture>
{
    private const string AdminToken = "fuzz-admin-token-0123456789abcdef";
    private const string ViewerToken = "fuzz-viewer-token-0123456789abcdef";
    private const string TenantToken = "fuzz-acme-operator-0123456789abcdef";
    private const int Parallelism = 8;
    private const int RandomCases = 700;

    private const string ManualJob = "fz-manual";
    private const string PausedJob = "fz-paused";
    private const string TenantJob = "fz-tenant";
    private static readonly string[] Seeded = [ManualJob, PausedJob, TenantJob];

    /// <summary>A valid definition, the base every wrong-typed body is made from (a PUT of it unchanged would change a seeded job).</summary>
    private const string ValidDefinition = """{"schedule":"*/5 * * * *","handler":"noop","description":"changed by the fuzzer"}""";

    [Fact]
    public async Task Anonymous_node_answers_malformed_requests_with_json_4xx_and_keeps_its_state()
    {
        using var http = Client(fixture.Node, token: null);
        await Fuzz(http);
    }

    [Fact]
    public async Task Node_with_tokens_answers_malformed_requests_with_json_4xx_and_keeps_its_state()
    {
        var tokens = new ApiTokens([
            new ApiToken("fuzz-admin", Role.Admin, ApiToken.Hash(AdminToken)),
            new ApiToken("fuzz-viewer", Role.Viewer, ApiToken.Hash(ViewerToken)),
            new ApiToken("fuzz-acme", Role.Operator, ApiToken.Hash(TenantToken), new HashSet<string> { "acme" }),
        ]);
        await using var node = await TestNode.StartAsync(tokens: tokens);
        using var http = Client(node, AdminToken);
        await Fuzz(http);
        await MalformedAuthorization(node);
        await Refusals(node);
    }

    /// <summary>
    /// Lone surrogates (which answered an empty 500 from every string field and the pause body) and numbers beyond a
    /// double: each must be a 400 naming the field.
    /// </summary>
    [Theory]
    [InlineData("PUT", "/api/jobs/x", """{"schedule":"\ud800","handler":"noop"}""", "schedule")]
    [InlineData("PUT", "/api/jobs/x", """{"schedule":"* * * * *","handler":"noop","description":"a\udc00b"}""", "description")]
    [InlineData("PUT", "/api/jobs/x", """{"schedule":"* * * * *","handler":"noop","tags":["ok","\ud800"]}""", "tags[1]")]
    [InlineData("PUT", "/api/jobs/x", """{"schedule":"* * * * *","handler":"noop","parameters":{"a":{"b":"\udbff\u0041"}}}""", "parameters.a.b")]
    [InlineData("PUT", "/api/jobs/x", """{"\ud800":1}""", "body")]
    [InlineData("PUT", "/api/jobs/x", """{"schedule":"* * * * *","handler":"noop","retry":{"multiplier":1e400}}""", "retry.multiplier")]
    [InlineData("PUT", "/api/jobs/x", """{"schedule":"* * * * *","handler":"noop","retry":{"jitter":-1e999}}""", "retry.jitter")]
    [InlineData("POST", "/api/jobs/x/pause", """{"note":"\ud800"}""", "note")]
    [InlineData("POST", "/api/jobs/x/pause", """{"until":"\udfff"}""", "until")]
    public async Task Regression_inputs_are_a_400_naming_the_field(string method, string path, string json, string field)
    {
        using var response = await fixture.Node.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = ApiTestSupport.JsonBody(json) });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} {json}: {(int)response.StatusCode} '{text}'");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(field, body.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData("application/jsonx")]
    [InlineData("application/json-seq")]
    [InlineData("text/jsonp")]
    public async Task A_content_type_that_only_starts_like_json_is_a_415(string type)
    {
        using var content = new StringContent("""{"schedule":"manual","handler":"noop"}""");
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        using var response = await fixture.Node.Http.PutAsync("/api/jobs/fz-jsonx", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{type}: {(int)response.StatusCode} '{text}'");
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Node.Http.Get("/api/jobs/fz-jsonx")).Status);
    }

    [Theory]
    [InlineData("DELETE", "/api/audit", 405)]
    [InlineData("PATCH", "/api/jobs", 405)]
    [InlineData("GET", "/api/no-such-endpoint", 404)]
    [InlineData("GET", "/no-such-page", 404)]
    public async Task Routing_refusals_answer_a_json_error(string method, string path, int expected)
    {
        using var response = await fixture.Node.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} '{text}'");
        Assert.Null(ErrorBodyProblem(text));
    }

    // ---------------------------------------------------------------- the run

    private async Task Fuzz(HttpClient http)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("AKKA_JOBS_FUZZ_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"seed {seed} (AKKA_JOBS_FUZZ_SEED={seed} reproduces this run)");
        var runId = await Seed(http);
        var before = await Snapshot(http);

        var cases = Cases(new Random(seed), runId);
        var problems = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (c, _) =>
        {
            var problem = await Send(http, c, statuses);
            if (problem?.StartsWith(KestrelRefusal) == true) output.WriteLine(Clip(problem, 160));
            else if (problem is not null) problems.Enqueue(problem);
        });
        foreach (var p in problems) output.WriteLine(p);
        output.WriteLine($"{cases.Count} requests; replies: {string.Join(", ", statuses.Where(p => p.Key > 0).OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}"))}; " +
            $"bodyless from Kestrel: {string.Join(", ", statuses.Where(p => p.Key < 0).OrderBy(p => -p.Key).Select(p => $"{-p.Key}×{p.Value}"))}");

        // Still alive and serving.
        using (var ready = await http.GetAsync("/readyz"))
            if (ready.StatusCode != HttpStatusCode.OK) problems.Enqueue($"/readyz answered {(int)ready.StatusCode} after the fuzzing");
        var (status, body) = await http.Get($"/api/jobs/{ManualJob}");
        if (status != HttpStatusCode.OK) problems.Enqueue($"GET /api/jobs/{ManualJob} answered {(int)status} {body} after the fuzzing");

        var after = await Snapshot(http);
        if (after != before) problems.Enqueue($"stored state changed:\n--- before\n{before}\n--- after\n{after}");

        Assert.True(problems.IsEmpty,
            $"seed {seed} (AKKA_JOBS_FUZZ_SEED={seed} reproduces it): {problems.Count} problems in {cases.Count} requests:\n" +
            string.Join("\n", problems.Take(40)));
    }

    /// <summary>Three jobs (a manual noop job with one finished run, a paused hourly job, a job of a tenant); returns the run's id.</summary>
    private static async Task<string> Seed(HttpClient http)
    {
        foreach (var (id, json) in new[]
                 {
                     (ManualJob, """{"schedule":"manual","handler":"noop","tags":["fuzz"]}"""),
                     (PausedJob, """{"schedule":"0 * * * *","handler":"noop","timeZone":"Europe/Paris","retry":{"maxAttempts":3,"initialBackoff":"5s"}}"""),
                     (TenantJob, """{"schedule":"manual","handler":"noop","tenant":"acme","description":"a tenant's job","parameters":{"a":[1,2]}}"""),
                 })
        {
            var (status, body) = await http.PutJob(id, json);
            Assert.True(status is HttpStatusCode.Created or HttpStatusCode.OK, $"seed {id}: {(int)status} {body}");
        }
        var (paused, pauseBody) = await http.Post($"/api/jobs/{PausedJob}/pause");
        Assert.True(paused == HttpStatusCode.OK, $"pause: {(int)paused} {pauseBody}");
        var runId = await http.Trigger(ManualJob);
        await http.WaitForRunEnd(ManualJob, runId);
        return runId;
    }

    /// <summary>The stored state: the job list and each seeded job with its runs. <c>nextFireUtc</c> is computed, not stored, and moves with the clock.</summary>
    private static async Task<string> Snapshot(HttpClient http)
    {
        var sb = new StringBuilder();
        async Task Add(string path)
        {
            using var response = await http.GetAsync(path);
            var node = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            Strip(node);
            sb.Append(path).Append(' ').Append((int)response.StatusCode).Append(' ').AppendLine(node?.ToJsonString());
        }

        await Add("/api/jobs");
        foreach (var id in Seeded)
        {
            await Add($"/api/jobs/{id}");
            await Add($"/api/jobs/{id}/runs");
        }
        return sb.ToString();

        static void Strip(JsonNode? n)
        {
            if (n is JsonObject o) o.Remove("nextFireUtc");
            else if (n is JsonArray a) foreach (var e in a) Strip(e);
        }
    }

    // ---------------------------------------------------------------- sending and checking

    /// <summary>One request. <see cref="TransportMayReject"/>: Kestrel itself may refuse it before any middleware runs (400/414/431 with no body).</summary>
    private sealed record Case(string Label, HttpMethod Method, string Path, Func<HttpContent?>? Body = null,
        IReadOnlyList<(string Name, string Value)>? Headers = null, bool TransportMayReject = false, bool SafeToSucceed = false, int? Expect = null);

    private static readonly int[] TransportStatuses = [400, 413, 414, 431];

    /// <summary>Marks a bodyless reply of Kestrel's that is accepted (reported in the output, not a problem).</summary>
    private const string KestrelRefusal = "refused by Kestrel: ";

    private static async Task<string?> Send(HttpClient http, Case c, ConcurrentDictionary<int, int>? statuses = null)
    {
        var label = $"[{c.Label}] {c.Method} {Clip(c.Path)}";
        try
        {
            using var request = new HttpRequestMessage(c.Method,
                new Uri(http.BaseAddress!.GetLeftPart(UriPartial.Authority) + c.Path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
            request.Content = c.Body?.Invoke();
            if (request.Content is ByteArrayContent)
                label += $" {Clip((await request.Content.ReadAsStringAsync()).ReplaceLineEndings(" "), 160)}";
            foreach (var (name, value) in c.Headers ?? [])
                if (!request.Headers.TryAddWithoutValidation(name, value))
                    request.Content?.Headers.TryAddWithoutValidation(name, value);
            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses?.AddOrUpdate(status, 1, (_, n) => n + 1);
            var text = await response.Content.ReadAsStringAsync();
            if (status >= 500) return $"{label}: {status} '{Clip(text)}'";
            if (c.Expect is { } expected && status != expected && !(c.TransportMayReject && text.Length == 0 && TransportStatuses.Contains(status)))
                return $"{label}: {status} '{Clip(text)}', expected {expected}";
            if (status < 400)
                return c.Method == HttpMethod.Get || c.Method == HttpMethod.Head || c.SafeToSucceed ? null : $"{label}: a malformed request succeeded: {status} '{Clip(text)}'";
            if (c.Method == HttpMethod.Head) return null; // a HEAD reply has no body
            if (text.Length == 0 && c.TransportMayReject && TransportStatuses.Contains(status))
            {
                statuses?.AddOrUpdate(-status, 1, (_, n) => n + 1); // Kestrel's own refusal, before any middleware: no body
                return KestrelRefusal + $"{status} {label}";
            }
            return ErrorBodyProblem(text) is { } problem ? $"{label}: {status} {problem}" : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return $"{label}: no reply: {ex.GetType().Name}: {ex.Message}";
        }
    }

    private static string? ErrorBodyProblem(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var e)
                   && e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString())
                ? text.Contains("Exception") || text.Contains("   at ") ? $"the reply shows an exception: '{Clip(text)}'" : null
                : $"no non-empty \"error\" string: '{Clip(text)}'";
        }
        catch (JsonException)
        {
            return $"body is not JSON: '{Clip(text)}'";
        }
    }

    private static HttpClient Client(TestNode node, string? token)
    {
        // UTF-8 header values, so non-ASCII headers reach the server as bytes instead of failing in the client.
        var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8, MaxConnectionsPerServer = Parallelism };
        var http = new HttpClient(handler) { BaseAddress = node.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static string Clip(string text, int max = 200) => text.Length <= max ? text : text[..max] + $"…({text.Length} chars)";

    // ---------------------------------------------------------------- malformed Authorization headers

    private async Task MalformedAuthorization(TestNode node)
    {
        var huge = "Z" + new string('t', 10 * 1024);
        var presented = new (string Header, string Secret)[]
        {
            ("", ""),
            (AdminToken, AdminToken), // no scheme
            ("Bearer", ""),
            ("Bearer ", ""),
            ("Bearer    ", ""),
            ("Basic ZnV6ejpmdXp6LXNlY3JldA==", "ZnV6ejpmdXp6LXNlY3JldA=="),
            ("Token " + AdminToken, AdminToken),
            ("Bearer" + AdminToken, AdminToken),
            ("Bearer " + AdminToken + "x", AdminToken + "x"),
            ("Bearer " + AdminToken[..^1], AdminToken[..^1]),
            ("Bearer wrong-token-presented-here", "wrong-token-presented-here"),
            ("Bearer " + huge, huge),
            ("Bearer tökén-ünïcødé-sécret", "tökén-ünïcødé-sécret"),
            ("Bearer 秘密のトークン", "秘密のトークン"),
            ("Bearer \"quoted-secret-value\"", "quoted-secret-value"),
            ("Bearer a,Bearer " + AdminToken, "a,Bearer"),
            ("Bearer\t" + "tabbed-secret-value", "tabbed-secret-value"),
        };
        var targets = new (HttpMethod Method, string Path, string? Json)[]
        {
            (HttpMethod.Get, "/api/jobs", null),
            (HttpMethod.Get, $"/api/jobs/{ManualJob}", null),
            (HttpMethod.Put, $"/api/jobs/{ManualJob}", ValidDefinition),
            (HttpMethod.Put, "/api/jobs/fz-created-by-anyone", ValidDefinition),
            (HttpMethod.Delete, $"/api/jobs/{TenantJob}", null),
            (HttpMethod.Post, $"/api/jobs/{ManualJob}/trigger", null),
            (HttpMethod.Post, $"/api/jobs/{PausedJob}/resume", null),
            (HttpMethod.Get, "/api/audit", null),
            (HttpMethod.Get, "/api/cluster", null),
            (HttpMethod.Post, "/api/cluster/leave", null),
            (HttpMethod.Patch, "/api/no-such-route", null),
        };
        using var http = Client(node, token: null);
        var before = await Snapshot(Authorized(http));
        var problems = new ConcurrentQueue<string>();
        var work = presented.SelectMany(p => targets.Select(t => (p, t))).ToList();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (w, _) =>
        {
            var ((header, secret), (method, path, json)) = w;
            var label = $"Authorization '{Clip(header)}' {method} {path}";
            try
            {
                using var request = new HttpRequestMessage(method, path);
                if (json is not null) request.Content = ApiTestSupport.JsonBody(json);
                if (!request.Headers.TryAddWithoutValidation("Authorization", header)) problems.Enqueue($"{label}: the client refused the header");
                using var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Unauthorized) problems.Enqueue($"{label}: {(int)response.StatusCode} '{Clip(text)}', expected 401");
                else if (ErrorBodyProblem(text) is { } p) problems.Enqueue($"{label}: {p}");
                else if (!response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer")) problems.Enqueue($"{label}: no WWW-Authenticate: Bearer");
                var all = text + string.Join("\n", response.Headers.Concat(response.Content.Headers).SelectMany(h => h.Value));
                if (secret.Length >= 4 && (all.Contains(secret) || all.Contains(secret[..Math.Min(secret.Length, 16)])))
                    problems.Enqueue($"{label}: the reply echoes the presented token: '{Clip(text)}'");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                problems.Enqueue($"{label}: no reply: {ex.GetType().Name}: {ex.Message}");
            }
        });
        output.WriteLine($"{work.Count} requests with a malformed Authorization header");
        var after = await Snapshot(Authorized(http));
        if (after != before) problems.Enqueue($"stored state changed:\n--- before\n{before}\n--- after\n{after}");
        Assert.True(problems.IsEmpty, $"{problems.Count} problems in {work.Count} requests:\n" + string.Join("\n", problems.Take(40)));

        static HttpClient Authorized(HttpClient anonymous)
        {
            var c = new HttpClient { BaseAddress = anonymous.BaseAddress };
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            return c;
        }
    }

    // ---------------------------------------------------------------- roles and tenants

    /// <summary>
    /// Well-formed requests a token may not make: a viewer's changes are 403; an operator limited to tenant acme gets
    /// 404 for jobs of no tenant (as if they did not exist), 403 for admin calls and the audit log. Nothing changes.
    /// </summary>
    private async Task Refusals(TestNode node)
    {
        (HttpMethod, string, string?)[] changes =
        [
            (HttpMethod.Put, $"/api/jobs/{ManualJob}", ValidDefinition), (HttpMethod.Put, "/api/jobs/fz-viewer-new", ValidDefinition),
            (HttpMethod.Delete, $"/api/jobs/{TenantJob}", null), (HttpMethod.Post, $"/api/jobs/{ManualJob}/trigger", null),
            (HttpMethod.Post, $"/api/jobs/{ManualJob}/pause", "{\"until\":\"2h\"}"), (HttpMethod.Post, $"/api/jobs/{PausedJob}/resume", null),
            (HttpMethod.Post, $"/api/jobs/{TenantJob}/trigger", null), (HttpMethod.Post, $"/api/jobs/{TenantJob}/pause", null),
        ];
        var expectations = new List<(string Token, HttpMethod Method, string Path, string? Json, int[] Statuses)>();
        foreach (var (method, path, json) in changes) expectations.Add((ViewerToken, method, path, json, [403]));
        expectations.Add((ViewerToken, HttpMethod.Post, "/api/runs/fz-manual@20261129T101500.000Z/cancel", null, [403]));
        foreach (var id in new[] { ManualJob, PausedJob })
        {
            expectations.Add((TenantToken, HttpMethod.Get, $"/api/jobs/{id}", null, [404]));
            expectations.Add((TenantToken, HttpMethod.Get, $"/api/jobs/{id}/runs", null, [404]));
            expectations.Add((TenantToken, HttpMethod.Post, $"/api/jobs/{id}/trigger", null, [404]));
            expectations.Add((TenantToken, HttpMethod.Post, $"/api/jobs/{id}/pause", "{\"note\":\"x\"}", [404]));
            expectations.Add((TenantToken, HttpMethod.Post, $"/api/jobs/{id}/resume", null, [404]));
            expectations.Add((TenantToken, HttpMethod.Delete, $"/api/jobs/{id}", null, [403, 404]));
            expectations.Add((TenantToken, HttpMethod.Put, $"/api/jobs/{id}", ValidDefinition, [403]));
        }
        expectations.Add((TenantToken, HttpMethod.Put, $"/api/jobs/{TenantJob}", ValidDefinition[..^1] + ",\"tenant\":\"acme\"}", [403]));
        expectations.Add((TenantToken, HttpMethod.Get, "/api/audit", null, [403]));
        expectations.Add((TenantToken, HttpMethod.Get, "/api/audit?limit=abc", null, [403, 400]));

        using var admin = Client(node, AdminToken);
        var before = await Snapshot(admin);
        var problems = new List<string>();
        foreach (var (token, method, path, json, statuses) in expectations)
        {
            using var http = Client(node, token);
            using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : ApiTestSupport.JsonBody(json) };
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var label = $"{(token == ViewerToken ? "viewer" : "acme operator")} {method} {path}";
            if (!statuses.Contains((int)response.StatusCode)) problems.Add($"{label}: {(int)response.StatusCode} '{Clip(text)}', expected {string.Join(" or ", statuses)}");
            else if (ErrorBodyProblem(text) is { } p) problems.Add($"{label}: {p}");
        }
        var after = await Snapshot(admin);
        if (after != before) problems.Add($"stored state changed:\n--- before\n{before}\n--- after\n{after}");
        output.WriteLine($"{expectations.Count} requests a token may not make");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // ---------------------------------------------------------------- the cases

    private static readonly string[] AllMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"];

    /// <summary>Every route of api.md with the methods it takes; ids are ones that do not exist, so no route with a wrong method changes anything.</summary>
    private static readonly (string Path, string[] Methods)[] Routes =
    [
        ("/api/jobs", ["GET"]),
        ("/api/jobs/fz-none", ["GET", "PUT", "DELETE"]),
        ("/api/jobs/fz-none/trigger", ["POST"]),
        ("/api/jobs/fz-none/pause", ["POST"]),
        ("/api/jobs/fz-none/resume", ["POST"]),
        ("/api/jobs/fz-none/runs", ["GET"]),
        ("/api/jobs/fz-none/next", ["GET"]),
        ("/api/runs/fz-none@20261129T101500.000Z", ["GET"]),
        ("/api/runs/fz-none@20261129T101500.000Z/cancel", ["POST"]),
        ("/api/runs/fz-none@20261129T101500.000Z/rerun", ["POST"]),
        ("/api/cluster", ["GET"]),
        ("/api/cluster/leave", ["POST"]),
        ("/api/cluster/down", ["POST"]),
        ("/api/cluster/down-unreachable", ["POST"]),
        ("/api/cluster/join", ["POST"]),
        ("/api/cluster/events", ["GET"]),
        ("/api/sharding/regions", ["GET"]),
        ("/api/sharding/stats", ["GET"]),
        ("/api/audit", ["GET"]),
        ("/readyz", ["GET"]),
        ("/healthz", ["GET"]),
    ];

    /// <summary>Endpoints that take a JSON body; a body sent to them here is always malformed, so none may succeed.</summary>
    private static readonly string[] BodyEndpoints =
    [
        $"PUT /api/jobs/{ManualJob}", $"PUT /api/jobs/{PausedJob}", $"PUT /api/jobs/{TenantJob}", "PUT /api/jobs/fz-new",
        $"POST /api/jobs/{ManualJob}/pause", $"POST /api/jobs/{TenantJob}/pause", "POST /api/jobs/fz-none/pause",
        "POST /api/cluster/leave", "POST /api/cluster/down", "POST /api/cluster/join",
    ];

    private static readonly string[] DefinitionFields =
        ["schedule", "timeZone", "handler", "parameters", "entities", "overlap", "misfire", "maxCatchUp", "onInterrupt", "retry", "timeout",
         "maxParallel", "alertAfter", "pauseAfter", "tenant", "description", "tags", "id"];

    private static readonly string[] RetryFields = ["maxAttempts", "initialBackoff", "maxBackoff", "multiplier", "jitter", "nonRetryable"];

    private const string LoneSurrogates = """["\ud800", "\udc00", "a\ud800b", "\udfff\ud800", "\ud83d"]""";

    /// <summary>JSON values that are wrong for a field of the given kind (never null for an optional field: null means absent).</summary>
    private static IEnumerable<string> WrongValues(string kind)
    {
        string[] surrogates = ["\"\\ud800\"", "\"\\udc00\"", "\"a\\ud800b\"", "\"\\ud83d\""];
        string[] badEscapes = ["\"\\x41\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\\"", "\"\\'\""];
        string[] structures = ["[]", "{}", "[1]", "{\"a\":1}", "[[[]]]", "true", "false"];
        string[] numbers = ["0", "-1", "1.5", "1e400", "-1e400", "99999999999", "-0", "1E-400", "123456789012345678901234567890"];
        return kind switch
        {
            "string" => [..numbers, ..structures, ..surrogates, ..badEscapes],
            "required-string" => ["null", "\"\"", "\"   \"", ..numbers, ..structures, ..surrogates],
            "schedule" => ["\"61 * * * *\"", "\"*/0 * * * *\"", "\"* * * * * * * *\"", "\"\\u0000\"", "\"not a cron\"", "\"0-99999999999 * * * *\"",
                "\"" + string.Concat(Enumerable.Repeat("* ", 5000)) + "\"", "\"@every\"", "\"@every -1s\"", "\"*/99999999999 * * * *\""],
            "timeZone" => ["\"../../../../etc/passwd\"", "\".\"", "\"..\"", "\"/\"", "\"Europe/../../etc/hosts\"", "\"\\u0000\"", "\"Europe/Paris\\u0000\"",
                "\"" + new string('x', 300) + "\"", "\"Mars/Olympus\"", "\"\"", "\"UTC+99\"", "\"/etc/localtime\""],
            "handler" => ["\"\\u0000\"", "\"no-such-handler\"", "\"../noop\"", "\"noop; rm -rf /\"", "\"" + new string('h', 5000) + "\""],
            "object" => ["\"x\"", "1", "[]", "true", "[{}]", ..surrogates],
            "string-list" => ["\"a\"", "1", "[1]", "[null]", "{}", "[[\"a\"]]", "true", "[\"a\",1]", LoneSurrogates, "[\"\\x\"]"],
            "entities" => ["[\"\"]", "[\"  \"]", "[\"a\",\"a\"]", "[\"a|b\"]", ..WrongValues("string-list")],
            "tags" => ["[\"\"]", "[\" \"]", ..WrongValues("string-list")],
            "enum" => ["1", "true", "[]", "{}", "\"nope\"", "\"0\"", "\"1\"", "\"\"", "\"-\"", ..surrogates],
            "int" => ["\"abc\"", "1.5", "true", "[]", "{}", "1e400", "99999999999", "-99999999999", "\"99999999999\"", "\"1e3\"", "\"\"", ..surrogates],
            "positive-int" => ["0", "-1", "\"abc\"", "1.5", "true", "[]", "{}", "1e400", "99999999999", "2147483648", ..surrogates],
            // Type-wrong or unreadable: a huge but readable backoff could be valid.
            "duration" => ["5", "\"abc\"", "true", "[]", "{}", "\"-5s\"", "\"\"", "\"P1D\"", "\"1e400s\"", "\"1.5s\"", "\"5x\"", "\"s\"", "\"-00:00:01\"", ..surrogates],
            "timeout" => ["\"0s\"", "\"8d\"", "\"99999999999d\"", "\"9223372036854775807s\"", "\"99999999999999999999s\"", "\"10000000:00:00\"",
                "\"10675199.02:48:05.4775808\"", "\"1d1d\"", ..WrongValues("duration")],
            "double" => ["\"abc\"", "true", "[]", "{}", "1e400", "-1e400", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1e400\"", "-5", "1000", ..surrogates],
            "retry" => ["\"x\"", "1", "[]", "true", "{\"nope\":1}", "{\"maxAttempts\":0}"],
            _ => throw new ArgumentException(kind),
        };
    }

    private static string KindOf(string field) => field switch
    {
        "schedule" or "handler" => "required-string",
        "timeZone" or "tenant" or "description" or "id" => "string",
        "parameters" => "object",
        "entities" or "tags" => field,
        "nonRetryable" => "string-list",
        "overlap" or "misfire" or "onInterrupt" => "enum",
        "maxCatchUp" or "maxParallel" or "maxAttempts" => "positive-int",
        "alertAfter" or "pauseAfter" => "int",
        "timeout" => "timeout",
        "initialBackoff" or "maxBackoff" => "duration",
        "multiplier" or "jitter" => "double",
        "retry" => "retry",
        _ => throw new ArgumentException(field),
    };

    private static string WithField(string field, string value)
    {
        var o = JsonNode.Parse(ValidDefinition)!.AsObject();
        o.Remove(field);
        var json = o.ToJsonString();
        return json[..^1] + $",\"{field}\":{value}}}";
    }

    private static string WithRetryField(string field, string value) => ValidDefinition[..^1] + $",\"retry\":{{\"{field}\":{value}}}}}";

    private static List<Case> Cases(Random random, string runId)
    {
        var cases = new List<Case>();
        var bodyEndpoints = BodyEndpoints;
        Func<HttpContent?> Json(string json, string? contentType = "application/json") => () =>
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            return content;
        };
        Func<HttpContent?> Bytes(byte[] bytes, string? contentType = "application/json") => () =>
        {
            var content = new ByteArrayContent(bytes);
            if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            return content;
        };
        Case Put(string label, string id, string json) => new(label, HttpMethod.Put, $"/api/jobs/{id}", Json(json));
        string AnyDefinitionTarget() => random.Next(4) switch { 0 => ManualJob, 1 => PausedJob, 2 => TenantJob, _ => "fz-new" };
        string AnyBodyEndpoint() => bodyEndpoints[random.Next(bodyEndpoints.Length)];
        Case ToEndpoint(string label, string endpoint, Func<HttpContent?> body, IReadOnlyList<(string, string)>? headers = null)
        {
            var parts = endpoint.Split(' ');
            return new Case(label, new HttpMethod(parts[0]), parts[1], body, headers);
        }

        // 1. A wrong value for every field of the definition, to existing and new jobs.
        foreach (var field in DefinitionFields)
            foreach (var value in WrongValues(KindOf(field)))
                cases.Add(Put($"definition.{field}", AnyDefinitionTarget(), WithField(field, value)));
        foreach (var field in new[] { "schedule", "timeZone", "handler" })
            foreach (var value in WrongValues(field))
                cases.Add(Put($"definition.{field} value", AnyDefinitionTarget(), WithField(field, value)));
        foreach (var field in RetryFields)
            foreach (var value in WrongValues(KindOf(field)))
                cases.Add(Put($"definition.retry.{field}", AnyDefinitionTarget(), WithRetryField(field, value)));
        cases.Add(Put("definition.unknown field", ManualJob, ValidDefinition[..^1] + ",\"scheduleX\":\"* * * * *\"}"));
        cases.Add(Put("definition.id mismatch", ManualJob, ValidDefinition[..^1] + ",\"id\":\"other\"}"));
        cases.Add(Put("definition.duplicate key", ManualJob, ValidDefinition[..^1] + ",\"overlap\":1,\"overlap\":true}"));
        foreach (var root in new[] { "null", "[]", "1", "\"s\"", "true", "[" + ValidDefinition + "]" })
            cases.Add(Put("definition.root", AnyDefinitionTarget(), root));

        // 1b. Wrong parameters of the built-in shell and http handlers (checked when the definition is stored).
        string[] shell = ["{}", "{\"command\":1}", "{\"command\":\"\"}", "{\"command\":\"  \"}", "{\"args\":[\"a\"]}", "{\"command\":\"x\",\"args\":\"a\"}",
            "{\"command\":\"x\",\"args\":[1,null]}", "{\"command\":\"x\",\"args\":[[]]}", "{\"command\":\"x\",\"env\":[]}", "{\"command\":\"x\",\"env\":{\"A=B\":\"x\"}}",
            "{\"command\":\"x\",\"env\":{\"\":\"x\"}}", "{\"command\":\"x\",\"env\":{\"A\":[]}}", "{\"command\":\"x\",\"env\":{\"A\":{}}}",
            "{\"command\":\"x\",\"workingDirectory\":1}", "{\"command\":\"x\",\"workingDirectory\":\"\"}", "{\"command\":[\"sh\",\"-c\"]}"];
        string[] httpParameters = ["{}", "{\"url\":1}", "{\"url\":\"\"}", "{\"url\":\"ftp://x/\"}", "{\"url\":\"not a url\"}", "{\"url\":\"/relative\"}",
            "{\"url\":\"http://[\"}", "{\"url\":\"http://x:99999/\"}", "{\"url\":\"http://x\",\"method\":\"GE T\"}", "{\"url\":\"http://x\",\"method\":1}",
            "{\"url\":\"http://x\",\"method\":\"\"}", "{\"url\":\"http://x\",\"headers\":[]}", "{\"url\":\"http://x\",\"headers\":{\"bad name\":\"v\"}}",
            "{\"url\":\"http://x\",\"headers\":{\"A\":1}}", "{\"url\":\"http://x\",\"headers\":{\"A\":\"a\\r\\nB: c\"}}", "{\"url\":\"http://x\",\"headers\":{\"\":\"v\"}}",
            "{\"url\":\"http://x\",\"body\":1}", "{\"url\":\"http://x\",\"body\":true}", "{\"url\":\"http://x\",\"contentType\":\"not a type\"}",
            "{\"url\":\"http://x\",\"contentType\":5}", "{\"url\":\"http://x\",\"bearerTokenEnv\":\"A=B\"}", "{\"url\":\"http://x\",\"bearerTokenEnv\":7}"];
        foreach (var (handler, parameterSets) in new[] { ("shell", shell), ("http", httpParameters) })
            foreach (var parameters in parameterSets)
                cases.Add(Put($"parameters.{handler}", AnyDefinitionTarget(), $"{{\"schedule\":\"manual\",\"handler\":\"{handler}\",\"parameters\":{parameters}}}"));

        // 2. A wrong pause body {until, note}, to an existing job (a bad body must not pause it).
        string[] untils = ["1", "true", "[]", "{}", "\"\"", "\"x\"", "\"2000-01-01T00:00:00Z\"", "\"-2h\"", "\"0s\"", "\"2026-13-45T00:00:00Z\"",
            "\"2030-01-01T00:00:00\"", "\"99999999999d\"", "\"9223372036854775807s\"", "\"2h\\u0000\"", "\"\\ud800\"", "\"\\x\"",
            "\"10000-01-01T00:00:00Z\"", "\"0001-01-01T00:00:00Z\"", "1e400"];
        string[] notes = ["1", "true", "[]", "{}", "\"\\ud800\"", "\"a\\nb\"", "\"\\u0000\"", "\"" + new string('n', 501) + "\"", "\"\\x\""];
        foreach (var target in new[] { ManualJob, TenantJob, "fz-none" })
        {
            foreach (var u in untils) cases.Add(ToEndpoint("pause.until", $"POST /api/jobs/{target}/pause", Json($"{{\"until\":{u}}}")));
            foreach (var n in notes) cases.Add(ToEndpoint("pause.note", $"POST /api/jobs/{target}/pause", Json($"{{\"note\":{n},\"until\":\"2h\"}}")));
            foreach (var b in new[] { "[]", "1", "\"2h\"", "null", "{\"reason\":\"x\"}", "{\"until\":\"2h\",\"x\":1}", "{\"note\":\"ok\",\"until\":\"yesterday\"}" })
                cases.Add(ToEndpoint("pause.body", $"POST /api/jobs/{target}/pause", Json(b)));
        }

        // 3. Cluster bodies: malformed only (a valid leave would take the node out).
        foreach (var ep in new[] { "POST /api/cluster/leave", "POST /api/cluster/down", "POST /api/cluster/join" })
            foreach (var b in new[] { "{\"address\":5}", "{\"address\":[]}", "{\"address\":\"\\ud800\"}", "{\"address\":\"not an address\"}", "[", "{\"address\":\"akka.tcp://x@\"}" })
                cases.Add(ToEndpoint("cluster.body", ep, Json(b)));

        // 4. Wrong content types, each with a valid definition or pause body (a PUT that took it would change a seeded job).
        string[] contentTypes = ["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
            "application/jsonx", "text/html; charset=utf-8", "*/*", "application/octet-stream", "image/png", ";", "application"];
        foreach (var type in contentTypes)
        {
            cases.Add(new Case($"content-type {type}", HttpMethod.Put, $"/api/jobs/{AnyDefinitionTarget()}", Json(ValidDefinition, type)));
            cases.Add(new Case($"content-type {type}", HttpMethod.Post, $"/api/jobs/{ManualJob}/pause", Json("{\"until\":\"2h\"}", type)));
        }
        cases.Add(new Case("content-type none, malformed", HttpMethod.Put, $"/api/jobs/{ManualJob}", Json("{\"schedule\":", null)));
        cases.Add(new Case("content-type none, empty", HttpMethod.Put, $"/api/jobs/{ManualJob}", Json("", null)));
        cases.Add(new Case("no body", HttpMethod.Put, $"/api/jobs/{ManualJob}"));
        cases.Add(new Case("multipart", HttpMethod.Put, $"/api/jobs/{ManualJob}", () =>
        {
            var m = new MultipartFormDataContent("x") { { new StringContent(ValidDefinition), "definition" } };
            return m;
        }));

        // 5. Oversized bodies: over 1 MB, with and without a Content-Length.
        var big = "{\"schedule\":\"* * * * *\",\"handler\":\"noop\",\"description\":\"" + new string('d', 1024 * 1024 + 10) + "\"}";
        foreach (var id in new[] { ManualJob, "fz-new" })
        {
            cases.Add(Put("oversized", id, big));
            cases.Add(new Case("oversized, chunked", HttpMethod.Put, $"/api/jobs/{id}", () =>
            {
                var c = new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(big)));
                c.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                return c;
            }));
        }
        cases.Add(ToEndpoint("oversized", $"POST /api/jobs/{ManualJob}/pause", Json("{\"note\":\"" + new string('n', 1024 * 1024 + 10) + "\"}")));

        // 5b. Just over the 256 KB limit (413 before any endpoint or by the JSON reader), and bodies to endpoints that read none.
        var justOver = "{\"schedule\":\"* * * * *\",\"handler\":\"noop\",\"description\":\"" + new string('d', 256 * 1024) + "\"}";
        cases.Add(new Case("just over the limit", HttpMethod.Put, $"/api/jobs/{ManualJob}", Json(justOver), Expect: 413));
        cases.Add(new Case("just over the limit, chunked", HttpMethod.Put, "/api/jobs/fz-new", () =>
        {
            var c = new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(justOver)));
            c.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return c;
        }, Expect: 413));
        foreach (var path in new[] { $"/api/jobs/{ManualJob}/trigger", $"/api/jobs/{PausedJob}/resume", $"/api/runs/{Uri.EscapeDataString(runId)}/rerun" })
        {
            cases.Add(new Case("oversized to a bodyless endpoint", HttpMethod.Post, path, Json(justOver), Expect: 413));
            // CORS-"simple" requests a web page may send anywhere without asking: refused for their content type.
            foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x" })
                cases.Add(new Case($"bodyless {type}", HttpMethod.Post, path, Json("", type), Expect: 415));
        }

        // 5c. Host names the loopback node does not answer to (DNS rebinding), on reads and changes alike.
        foreach (var host in new[] { "evil.example", "evil.example:8080", "127.0.0.1.nip.io", "localhost.evil.example", "attacker.test:80", "xn--80ak6aa92e.com" })
        {
            cases.Add(new Case("host", HttpMethod.Get, "/api/jobs", Headers: [("Host", host)], Expect: 400));
            cases.Add(new Case("host", HttpMethod.Get, "/healthz", Headers: [("Host", host)], Expect: 400));
            cases.Add(new Case("host", HttpMethod.Put, $"/api/jobs/{ManualJob}", Json(ValidDefinition), [("Host", host)], Expect: 400));
            cases.Add(new Case("host", HttpMethod.Post, $"/api/jobs/{ManualJob}/trigger", Headers: [("Host", host)], Expect: 400));
        }
        foreach (var host in new[] { "a b", "[::1", "evil.example:99999", "evil.example:-1", "%00", "ジョブ.example" })
            cases.Add(new Case("host malformed", HttpMethod.Post, $"/api/jobs/{ManualJob}/trigger", Headers: [("Host", host)], TransportMayReject: true, Expect: 400));

        // 5d. Cross-site browser requests: a valid change sent by a page of another origin is refused (403).
        foreach (var (name, value) in new[] { ("Origin", "http://evil.example"), ("Origin", "null"), ("Origin", "http://127.0.0.1"), ("Origin", "http://localhost:1"),
                     ("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Site", "same-site") })
        {
            cases.Add(new Case("cross-site", HttpMethod.Put, $"/api/jobs/{ManualJob}", Json(ValidDefinition), [(name, value)], Expect: 403));
            cases.Add(new Case("cross-site", HttpMethod.Post, $"/api/jobs/{ManualJob}/trigger", Headers: [(name, value)], Expect: 403));
            cases.Add(new Case("cross-site", HttpMethod.Post, $"/api/jobs/{ManualJob}/pause", Headers: [(name, value)], Expect: 403));
            cases.Add(new Case("cross-site", HttpMethod.Delete, $"/api/jobs/{TenantJob}", Headers: [(name, value)], Expect: 403));
        }

        // 6. Deep nesting, at the root and inside parameters.
        foreach (var depth in new[] { 32, 33, 64, 1000, 100_000 }) // the limit is 32 levels; parameters sit one level down
        {
            cases.Add(Put($"nested[{depth}]", AnyDefinitionTarget(), new string('[', depth) + new string(']', depth)));
            cases.Add(Put($"nested{{{depth}}}", AnyDefinitionTarget(),
                ValidDefinition[..^1] + ",\"parameters\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth) + "}"));
            cases.Add(ToEndpoint($"nested pause[{depth}]", $"POST /api/jobs/{ManualJob}/pause", Json("{\"until\":" + new string('[', depth) + new string(']', depth) + "}")));
        }
        cases.Add(Put("nested unclosed", ManualJob, new string('[', 5000)));

        // 7. Every route with every method it does not take, and its own methods on unknown ids.
        foreach (var (path, methods) in Routes)
            foreach (var method in AllMethods)
            {
                var own = methods.Contains(method);
                // The right method with no body is covered by the body cases; an event stream would never end.
                if (own && (method != "GET" || path.EndsWith("/events"))) continue;
                cases.Add(new Case(own ? "route" : "wrong method", new HttpMethod(method), path, SafeToSucceed: own));
            }
        foreach (var method in AllMethods.Where(m => m != "GET" && m != "HEAD"))
            cases.Add(new Case("wrong method, real run", new HttpMethod(method), $"/api/runs/{Uri.EscapeDataString(runId)}",
                method is "POST" or "PUT" or "PATCH" ? Json("{}") : null));

        // 8. Path tricks: ids that normalise to a seeded job are only ever read.
        string[] readTricks =
        [
            $"/api/jobs/../jobs/{ManualJob}", $"/api/jobs/%2e%2e/jobs/{ManualJob}", $"/api/jobs/{ManualJob}%00", $"/api/jobs/{ManualJob}%2F..%2F{PausedJob}",
            $"/api//jobs/{ManualJob}", $"//api/jobs/{ManualJob}", $"/api/jobs//{ManualJob}", $"/api/jobs/{ManualJob}//runs", $"/api/JOBS/{ManualJob}",
            $"/api/jobs/{ManualJob}/runs/..", $"/api/jobs/{ManualJob}/./runs", $"/api/jobs/{ManualJob};x=1", $"/api/jobs/{ManualJob}%3Bx=1",
            $"/api/runs/{ManualJob}", $"/api/runs/{ManualJob}@", $"/api/runs/{ManualJob}~", $"/api/runs/{ManualJob}~0@x", $"/api/runs/{ManualJob}~-1@x",
            $"/api/runs/{ManualJob}~99999999999@x", $"/api/runs/@{ManualJob}", $"/api/runs/~@", $"/api/runs/{ManualJob}%40x", $"/api/runs/{ManualJob}@%00",
            $"/api/runs/{Uri.EscapeDataString(runId)}%2F..", $"/api/runs/{ManualJob}@@@", $"/api/jobs/{ManualJob}%20", $"/api/jobs/%20{ManualJob}",
        ];
        string[] anyTricks =
        [
            "/api/jobs/%2e%2e/%2e%2e/readyz", "/api/jobs/..", "/api/jobs/.", "/api/jobs/%2e", "/api/jobs/%00", "/api/jobs/a%2Fb", "/api/jobs/a%2fb/runs",
            "/api/jobs/%2F", "/api/jobs/%5C..%5C", "/api/jobs/" + new string('a', 129), "/api/jobs/" + new string('a', 5000),
            "/api/jobs/" + new string('a', 20_000), "/api/runs/" + new string('r', 5000) + "@x", "/api/jobs/%E2%9C%93", "/api/jobs/%F0%9F%98%80",
            "/api/jobs/" + Uri.EscapeDataString("ジョブ"), "/api/jobs/" + Uri.EscapeDataString("Ünïcødé"), "/api/jobs/%ED%A0%80", "/api/jobs/%ff%fe",
            "/api/jobs/%c0%ae%c0%ae", "/api/jobs/%", "/api/jobs/%zz", "/api/jobs/%u002e", "/api/jobs/j~2", "/api/jobs/j@x", "/api/jobs/~", "/api/jobs/@",
            "/api/jobs/-leading-dash", "/api/jobs/UPPER", "/api/jobs/%0d%0aX-Injected:%201", "/api/runs/~2@x", "/api/runs/@", "/api/runs/~",
            "/api/runs/%40", "/api/runs/fz-none", "/api/runs/fz-none~2", "/api/runs/" + Uri.EscapeDataString("ジ@x"), "/api/runs/a%2Fb@x",
            "/api/jobs?", "/api/jobs/?", "/api/", "/api", "/api/nope", "/api/jobs/fz-none/nope", "/api/runs", "/api/runs/", "/" + new string('x', 10_000),
        ];
        foreach (var path in readTricks) cases.Add(new Case("path", HttpMethod.Get, path, TransportMayReject: true));
        foreach (var path in anyTricks)
        {
            cases.Add(new Case("path", HttpMethod.Get, path, TransportMayReject: true));
            foreach (var suffix in new[] { "/trigger", "/pause", "/resume", "/cancel", "/rerun" })
                if (path.StartsWith("/api/jobs/") || path.StartsWith("/api/runs/"))
                    cases.Add(new Case("path", HttpMethod.Post, path + suffix, TransportMayReject: true));
            if (path.StartsWith("/api/jobs/"))
            {
                cases.Add(new Case("path", HttpMethod.Delete, path, TransportMayReject: true));
                cases.Add(new Case("path", HttpMethod.Put, path, Json(ValidDefinition), TransportMayReject: true));
            }
        }

        // 9. Query values.
        string[] numbers = ["-1", "0", "abc", "99999999999", "1.5", "1e3", "%201", "0x10", "", "%00", "1%00", "-99999999999", "+5", "%D9%A1%D9%A2", "9223372036854775808", "1&limit=2"];
        foreach (var n in numbers)
        {
            cases.Add(new Case("query.limit", HttpMethod.Get, $"/api/jobs/{ManualJob}/runs?limit={n}", SafeToSucceed: true));
            cases.Add(new Case("query.count", HttpMethod.Get, $"/api/jobs/{PausedJob}/next?count={n}", SafeToSucceed: true));
            cases.Add(new Case("query.incarnation", HttpMethod.Get, $"/api/jobs/{ManualJob}/runs?incarnation={n}", SafeToSucceed: true));
            cases.Add(new Case("query.audit limit", HttpMethod.Get, $"/api/audit?limit={n}", SafeToSucceed: true));
            cases.Add(new Case("query.since", HttpMethod.Get, $"/api/audit?since={n}", SafeToSucceed: true));
        }
        string[] words = ["running", "RUNNING", "timed_out", "timedout", "paused", "active", "failing", "nope", "", "%00", "%ff", "%ED%A0%80", "a%2Cb", "succeeded,failed"];
        foreach (var w in words)
        {
            cases.Add(new Case("query.status", HttpMethod.Get, $"/api/jobs/{ManualJob}/runs?status={w}", SafeToSucceed: true));
            cases.Add(new Case("query.status", HttpMethod.Get, $"/api/jobs?status={w}", SafeToSucceed: true));
            cases.Add(new Case("query.tenant", HttpMethod.Get, $"/api/jobs?tenant={w}", SafeToSucceed: true));
        }
        string[] sinces = ["1h", "-1h", "99999999999d", "9223372036854775807s", "2026-13-45T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
            "2026-11-29T10:00:00", "10000000:00:00", "yesterday", "%E2%9C%93", "1e400s", "P1D"];
        foreach (var since in sinces) cases.Add(new Case("query.since", HttpMethod.Get, $"/api/audit?since={since}", SafeToSucceed: true));
        cases.Add(new Case("query.long", HttpMethod.Get, "/api/jobs?tenant=" + new string('t', 20_000), TransportMayReject: true, SafeToSucceed: true));
        cases.Add(new Case("query.many", HttpMethod.Get, "/api/jobs?" + string.Join("&", Enumerable.Range(0, 2000).Select(i => $"k{i}=v")), TransportMayReject: true, SafeToSucceed: true));
        cases.Add(new Case("query.stats region", HttpMethod.Get, "/api/sharding/stats?region=%00nope", SafeToSucceed: true));

        // 10. Huge and many headers (Kestrel answers 431 itself).
        cases.Add(new Case("header 60 KB", HttpMethod.Get, "/api/jobs", Headers: [("X-Big", new string('h', 60 * 1024))], TransportMayReject: true));
        cases.Add(new Case("header 60 KB", HttpMethod.Put, $"/api/jobs/{ManualJob}", Json(ValidDefinition), [("X-Big", new string('h', 60 * 1024))], TransportMayReject: true));
        cases.Add(new Case("many headers", HttpMethod.Get, "/api/jobs", Headers: Enumerable.Range(0, 200).Select(i => ($"X-H{i}", "v")).ToList(), TransportMayReject: true));
        cases.Add(new Case("many headers", HttpMethod.Post, $"/api/jobs/{ManualJob}/pause", Json("{\"until\":5}"),
            Enumerable.Range(0, 200).Select(i => ($"X-H{i}", "v")).ToList(), TransportMayReject: true));
        cases.Add(new Case("header non-ASCII", HttpMethod.Get, "/api/jobs", Headers: [("X-Name", "tökén ジョブ")], TransportMayReject: true, SafeToSucceed: true));
        cases.Add(new Case("user agent", HttpMethod.Put, $"/api/jobs/{ManualJob}", Json("{\"schedule\":1}"), [("User-Agent", "akka-jobs-cli/" + new string('9', 4000))]));
        cases.Add(new Case("content-encoding", HttpMethod.Put, $"/api/jobs/{ManualJob}", Json("{\"schedule\":1}"), [("Content-Encoding", "gzip")]));

        // 11. Random: random bytes, truncated JSON, lone surrogates and bad escapes in random places, raw invalid UTF-8.
        var valid = new[]
        {
            ValidDefinition,
            """{"schedule":"0 * * * *","handler":"noop","timeZone":"Europe/Paris","retry":{"maxAttempts":3,"initialBackoff":"5s","multiplier":2},"tags":["a","b"],"entities":["e1","e2"],"parameters":{"x":[1,{"y":null}]}}""",
            """{"until":"2h","note":"maintenance"}""",
        };
        for (var i = 0; i < RandomCases; i++)
        {
            var endpoint = AnyBodyEndpoint();
            var isPause = endpoint.EndsWith("/pause");
            var baseJson = isPause ? valid[2] : valid[random.Next(2)];
            switch (random.Next(6))
            {
                case 0:
                {
                    var bytes = new byte[random.Next(0, 3000)];
                    random.NextBytes(bytes);
                    if (bytes.Length == 0) bytes = [0xff];
                    cases.Add(ToEndpoint("random bytes", endpoint, Bytes(bytes, random.Next(3) == 0 ? null : "application/json")));
                    break;
                }
                case 1:
                    cases.Add(ToEndpoint("truncated", endpoint, Json(baseJson[..random.Next(1, baseJson.Length - 1)])));
                    break;
                case 2:
                {
                    // A string value (not a key) gets a lone surrogate or a bad escape inserted.
                    var quotes = Enumerable.Range(0, baseJson.Length).Where(k => baseJson[k] == '"' && k > 0 && baseJson[k - 1] == ':' ).ToList();
                    var at = quotes.Count == 0 ? 1 : quotes[random.Next(quotes.Count)] + 1;
                    string[] inserts = ["\\ud800", "\\udc00", "\\udbff\\u0041", "\\ud83d\\ud83d", "\\x", "\\u00", "\\uZZZZ", "\\", "\\U0001F600"];
                    cases.Add(ToEndpoint("bad escape", endpoint, Json(baseJson.Insert(at, inserts[random.Next(inserts.Length)]))));
                    break;
                }
                case 3:
                {
                    // Raw invalid UTF-8 inside a string value.
                    var bytes = Encoding.UTF8.GetBytes(baseJson).ToList();
                    byte[][] invalid = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]];
                    var quote = bytes.FindIndex(3, b => b == (byte)'"');
                    var place = quote < 0 ? 1 : quote + 1;
                    bytes.InsertRange(place, invalid[random.Next(invalid.Length)]);
                    cases.Add(ToEndpoint("invalid utf-8", endpoint, Bytes([.. bytes])));
                    break;
                }
                case 4:
                {
                    // A random field set to a random wrong value.
                    if (isPause)
                    {
                        var u = untils[random.Next(untils.Length)];
                        cases.Add(ToEndpoint("random pause", endpoint, Json($"{{\"until\":{u},\"note\":{notes[random.Next(notes.Length)]}}}")));
                    }
                    else
                    {
                        var field = DefinitionFields[random.Next(DefinitionFields.Length)];
                        var values = WrongValues(KindOf(field)).ToArray();
                        cases.Add(ToEndpoint("random field", endpoint, Json(WithField(field, values[random.Next(values.Length)]))));
                    }
                    break;
                }
                default:
                {
                    // A single byte flipped, dropped or duplicated, then made certainly malformed by a trailing comma.
                    var bytes = Encoding.UTF8.GetBytes(baseJson);
                    var k = random.Next(bytes.Length);
                    bytes[k] = (byte)random.Next(256);
                    cases.Add(ToEndpoint("mutated", endpoint, Bytes([.. bytes, (byte)',', (byte)'}'])));
                    break;
                }
            }
        }
        return cases;
    }

    /// <summary>A stream whose length is unknown, so the client sends the body chunked with no Content-Length.</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
