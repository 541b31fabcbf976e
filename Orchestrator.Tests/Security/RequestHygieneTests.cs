using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Akka.Jobs.Tests.Api;
using Xunit;

namespace Akka.Jobs.Tests.Security;

/// <summary>
/// Refusals from headers alone on a node listening on loopback without tokens: body size (413, with and without a
/// Content-Length), content types of body-less calls (415), cross-site browser requests (403) and Host names (400).
/// Each is a JSON error and changes nothing.
/// </summary>
public sealed class RequestHygieneTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private HttpClient Http => fixture.Node.Http;

    private static readonly string OneMegabyteDefinition =
        "{\"schedule\":\"manual\",\"handler\":\"noop\",\"description\":\"" + new string('d', 1024 * 1024) + "\"}";

    [Fact]
    public async Task A_one_megabyte_body_with_a_content_length_is_a_413_naming_the_limit_and_stores_nothing()
    {
        using var response = await Http.PutAsync("/api/jobs/hy-big", ApiTestSupport.JsonBody(OneMegabyteDefinition));
        await AssertError(response, HttpStatusCode.RequestEntityTooLarge, "262,144 bytes", "max-request-body");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.Get("/api/jobs/hy-big")).Status);
    }

    [Fact]
    public async Task A_one_megabyte_chunked_body_is_a_413_naming_the_limit_and_stores_nothing()
    {
        var content = new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(OneMegabyteDefinition)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/jobs/hy-big-chunked") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await Http.SendAsync(request);
        await AssertError(response, HttpStatusCode.RequestEntityTooLarge, "262,144 bytes", "max-request-body");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.Get("/api/jobs/hy-big-chunked")).Status);
    }

    [Fact]
    public async Task A_body_under_the_limit_is_read()
    {
        var json = "{\"schedule\":\"manual\",\"handler\":\"noop\",\"description\":\"" + new string('d', 1_500) + "\"}";
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("hy-small", json)).Status);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_bodyless_trigger_with_a_form_content_type_is_a_415_and_starts_no_run(string type)
    {
        var id = "hy-form-" + type.Split('/', ';')[1].Replace('.', '-').Replace("--", "-");
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob(id, """{"schedule":"manual","handler":"noop"}""")).Status);
        var content = new ByteArrayContent([]);
        content.Headers.TryAddWithoutValidation("Content-Type", type);
        using var response = await Http.PostAsync($"/api/jobs/{id}/trigger", content);
        await AssertError(response, HttpStatusCode.UnsupportedMediaType, "application/json");
        var (_, runs) = await Http.Get($"/api/jobs/{id}/runs");
        Assert.Equal(0, runs.GetArrayLength());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_without_content_type_is_a_415_naming_the_header_and_stores_nothing(bool chunked)
    {
        var id = chunked ? "hy-untyped-chunked" : "hy-untyped";
        var bytes = Encoding.UTF8.GetBytes("""{"schedule":"manual","handler":"noop"}""");
        HttpContent content = chunked ? new StreamContent(new NoLengthStream(bytes)) : new ByteArrayContent(bytes);
        Assert.Null(content.Headers.ContentType);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/jobs/{id}") { Content = content };
        if (chunked) request.Headers.TransferEncodingChunked = true;

        using var response = await Http.SendAsync(request);

        await AssertError(response, HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.Get($"/api/jobs/{id}")).Status);
    }

    [Fact]
    public async Task A_bodyless_trigger_needs_no_content_type()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PutJob("hy-bodyless", """{"schedule":"manual","handler":"noop"}""")).Status);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs/hy-bodyless/trigger");
        using var response = await Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"got {(int)response.StatusCode} '{await response.Content.ReadAsStringAsync()}'");
        using var empty = await Http.PostAsync("/api/jobs/hy-bodyless/trigger", new ByteArrayContent([]));
        Assert.True(empty.IsSuccessStatusCode, $"got {(int)empty.StatusCode} '{await empty.Content.ReadAsStringAsync()}'");
    }

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Origin", "http://localhost:3000")]
    [InlineData("Origin", "http://127.0.0.1")]
    [InlineData("Origin", "http://127.0.0.1.evil.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task A_cross_site_mutating_request_is_a_403_and_changes_nothing(string header, string value)
    {
        const string id = "hy-cross-site";
        await Http.PutJob(id, """{"schedule":"manual","handler":"noop"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/jobs/{id}/pause");
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await Http.SendAsync(request);
        await AssertError(response, HttpStatusCode.Forbidden, "cross-site");
        var (_, job) = await Http.Get($"/api/jobs/{id}");
        Assert.False(job.GetProperty("paused").GetBoolean(), job.ToString());
    }

    [Fact]
    public async Task A_same_origin_request_and_a_cross_site_read_pass()
    {
        const string id = "hy-same-origin";
        await Http.PutJob(id, """{"schedule":"manual","handler":"noop"}""");
        using var pause = new HttpRequestMessage(HttpMethod.Post, $"/api/jobs/{id}/pause");
        pause.Headers.TryAddWithoutValidation("Origin", Http.BaseAddress!.GetLeftPart(UriPartial.Authority));
        pause.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        using (var response = await Http.SendAsync(pause)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Behind a TLS-terminating proxy the page is https while the node sees http: the host and port decide.
        using var resume = new HttpRequestMessage(HttpMethod.Post, $"/api/jobs/{id}/resume");
        resume.Headers.TryAddWithoutValidation("Origin", "https://" + Http.BaseAddress!.Authority);
        using (var response = await Http.SendAsync(resume)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // A read changes nothing; without CORS headers the foreign page cannot read the reply anyway.
        using var read = new HttpRequestMessage(HttpMethod.Get, $"/api/jobs/{id}");
        read.Headers.TryAddWithoutValidation("Origin", "http://evil.example");
        using (var response = await Http.SendAsync(read)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:8080")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("localhost.evil.example")]
    public async Task A_host_name_the_loopback_node_does_not_answer_to_is_a_400_naming_it(string host)
    {
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/jobs"), (HttpMethod.Get, "/healthz"), (HttpMethod.Post, "/api/jobs/hy-any/trigger") })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Host = host;
            using var response = await Http.SendAsync(request);
            await AssertError(response, HttpStatusCode.BadRequest, $"host '{host}'");
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public async Task Loopback_host_names_are_accepted_on_any_port(string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/jobs");
        request.Headers.Host = $"{name}:{Http.BaseAddress!.Port + 1}";
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode expected, params string[] mentions)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode} '{text}'");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
        foreach (var m in mentions) Assert.Contains(m, error);
    }

    /// <summary>A stream of unknown length, so the client sends it chunked with no Content-Length.</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
