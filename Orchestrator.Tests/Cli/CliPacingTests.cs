using System.Net;
using System.Text;
using Akka.Jobs.Orchestrator.Cli;
using Xunit;

namespace Akka.Jobs.Tests.CliTests;

/// <summary>The CLI meets the node's rate limit by waiting the Retry-After it is given, a few times, then reports the 429.</summary>
public sealed class CliPacingTests
{
    [Fact]
    public async Task A_429_is_sent_again_after_its_retry_after()
    {
        var node = new Replies(429, 429, 202);
        using var client = new ApiClient(new Uri("http://127.0.0.1:1/"), token: null, node);

        var (status, body) = await client.SendAsync(HttpMethod.Post, "/api/jobs/a/trigger", null, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("a@1", body.GetProperty("runId").GetString());
        Assert.Equal(3, node.Calls);
    }

    [Fact]
    public async Task A_limit_that_stays_is_reported_with_the_nodes_error()
    {
        var node = new Replies(Enumerable.Repeat(429, 10).ToArray());
        using var client = new ApiClient(new Uri("http://127.0.0.1:1/"), token: null, node);

        var failure = await Assert.ThrowsAsync<CliFailure>(() => client.SendAsync(HttpMethod.Post, "/api/jobs/a/trigger", null, CancellationToken.None));

        Assert.Contains("too many changes", failure.Message);
        Assert.Equal(5, node.Calls);
    }

    /// <summary>Answers with the given statuses in turn; a 429 says Retry-After: 0 so the test does not wait.</summary>
    private sealed class Replies(params int[] statuses) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var status = statuses[Math.Min(Calls++, statuses.Length - 1)];
            var response = new HttpResponseMessage((HttpStatusCode)status)
            {
                Content = new StringContent(status == 429 ? "{\"error\":\"too many changes\"}" : "{\"runId\":\"a@1\"}", Encoding.UTF8, "application/json"),
            };
            if (status == 429) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
            return Task.FromResult(response);
        }
    }
}
