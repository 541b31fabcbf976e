using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Akka.Jobs.Domain.Access;
using Akka.Jobs.Orchestrator.Configuration;
using Akka.Jobs.Tests.Api;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Security;

/// <summary>
/// The API's rate limit on a node with tokens, 2 calls at once and 1 a second per caller: a burst beyond it gets 429
/// with Retry-After and writes no audit rows, another token is unaffected, and reads are never limited.
/// </summary>
public sealed class RateLimitTests
{
    private const string Flooder = "flooder-token-0123456789", Other = "other-token-0123456789";

    [Fact]
    public async Task A_burst_beyond_the_limit_is_429_with_retry_after_and_leaves_other_callers_and_reads_alone()
    {
        var tokens = new ApiTokens([
            new ApiToken("flooder", Role.Admin, ApiToken.Hash(Flooder)),
            new ApiToken("other", Role.Admin, ApiToken.Hash(Other)),
        ]);
        await using var node = await TestNode.StartAsync(tokens: tokens, apiLimits: new ApiLimits { RateLimit = new RateLimit(1, 2) });
        using var flooder = Client(node, Flooder);
        using var other = Client(node, Other);

        // 12 triggers of a job that does not exist (404 when let through: nothing changes) at once: at most 2 + the
        // tokens refilled while they are answered pass.
        var replies = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var response = await flooder.PostAsync("/api/jobs/rl-none/trigger", null);
            return (response.StatusCode, response.Headers.RetryAfter?.Delta, Text: await response.Content.ReadAsStringAsync());
        }));
        var refused = replies.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(refused.Count >= 6, string.Join("\n", replies.Select(r => $"{(int)r.StatusCode} {r.Text}")));
        Assert.All(replies, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.NotFound }));
        foreach (var r in refused)
        {
            Assert.True(r.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {r.Delta}");
            Assert.Contains("akka.jobs.api.rate-limit", JsonDocument.Parse(r.Text).RootElement.GetProperty("error").GetString());
        }

        // Another token has its own bucket; reads are not limited, not even the flooder's.
        using (var response = await other.PostAsync("/api/jobs/rl-none/trigger", null)) Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        for (var i = 0; i < 10; i++)
            using (var response = await flooder.GetAsync("/api/jobs")) Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // A refused call reached no endpoint: the audit log has a row for each call let through, none for a 429.
        var (_, audit) = await other.Get("/api/audit?limit=1000");
        var rows = audit.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("caller").GetString() == "flooder");
        Assert.Equal(replies.Length - refused.Count, rows);
    }

    [Fact]
    public async Task Unknown_tokens_are_limited_by_address_before_they_write_audit_rows()
    {
        var tokens = new ApiTokens([new ApiToken("other", Role.Admin, ApiToken.Hash(Other))]);
        await using var node = await TestNode.StartAsync(tokens: tokens, apiLimits: new ApiLimits { RateLimit = new RateLimit(1, 2) });
        using var stranger = Client(node, "not-a-configured-token-0123");
        var statuses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            using var response = await stranger.PostAsync("/api/jobs/rl-none/trigger", null);
            return response.StatusCode;
        }));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        using var other = Client(node, Other);
        var (_, audit) = await other.Get("/api/audit?limit=1000");
        var rows = audit.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("caller").GetString() == "unauthenticated");
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.Unauthorized), rows);
    }

    private static HttpClient Client(TestNode node, string token)
    {
        var http = new HttpClient { BaseAddress = node.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
