using System.Net;
using System.Text.Json;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Tests.Api;
using Xunit;

namespace Akka.Jobs.Tests.Security;

/// <summary>Callers below admin see a job's parameters only where its handler declares them safe; admins see them all.</summary>
public sealed class RedactionTests(SecuredNodeFixture fixture) : IClassFixture<SecuredNodeFixture>
{
    private const string HttpJob = """
        {"schedule":"manual","handler":"http","parameters":{
          "url":"https://robot:hunter2@api.example.com/v1/report?key=s3cr3t&day=1",
          "method":"POST",
          "headers":{"Authorization":"Bearer inline-credential","X-Key":{"secret":"report-key"}},
          "body":{"password":"in-body"}}}
        """;

    private const string ShellJob = """
        {"schedule":"manual","handler":"shell","parameters":{"command":"sh","args":["-c","backup"],"env":{"PGPASSWORD":"pg-secret","MODE":"full"}}}
        """;

    [Fact]
    public async Task Viewers_and_operators_see_parameter_values_only_where_the_handler_declares_them_safe()
    {
        using var admin = fixture.Client(SecuredNodeFixture.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("redacted-http", HttpJob)).Status);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("redacted-shell", ShellJob)).Status);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutJob("redacted-report",
            """{"schedule":"manual","handler":"report","parameters":{"reportName":"daily","apiKey":"k-123"}}""")).Status);

        foreach (var token in new[] { SecuredNodeFixture.Viewer, SecuredNodeFixture.Operator })
        {
            using var reader = fixture.Client(token);
            var http = (await reader.Get("/api/jobs/redacted-http")).Body.GetProperty("definition").GetProperty("parameters");
            Assert.Equal("https://***@api.example.com/v1/report?key=***&day=***", http.Str("url"));
            Assert.Equal("POST", http.Str("method"));
            Assert.Equal("***", http.GetProperty("headers").Str("Authorization"));
            Assert.Equal("report-key", http.GetProperty("headers").GetProperty("X-Key").Str("secret"));
            Assert.Equal("***", http.Str("body"));

            var shell = (await reader.Get("/api/jobs/redacted-shell")).Body.GetProperty("definition").GetProperty("parameters");
            Assert.Equal("sh", shell.Str("command"));
            Assert.Equal("backup", shell.GetProperty("args")[1].GetString());
            Assert.Equal("***", shell.GetProperty("env").Str("PGPASSWORD"));

            var report = (await reader.Get("/api/jobs/redacted-report")).Body.GetProperty("definition").GetProperty("parameters");
            Assert.Equal("daily", report.Str("reportName"));
            Assert.Equal("***", report.Str("apiKey"));

            var (_, list) = await reader.Get("/api/jobs");
            var listed = list.ToString();
            foreach (var secret in new[] { "hunter2", "s3cr3t", "inline-credential", "in-body", "pg-secret", "k-123" })
                Assert.DoesNotContain(secret, listed);
        }

        var full = (await admin.Get("/api/jobs/redacted-http")).Body.GetProperty("definition").GetProperty("parameters");
        Assert.Equal("Bearer inline-credential", full.GetProperty("headers").Str("Authorization"));
        Assert.Contains("hunter2", full.Str("url"));
    }

    [Theory]
    [InlineData("https://api.example.com/x", "https://api.example.com/x")]
    [InlineData("https://u:p@h.example:8443/a?b=c#frag", "https://***@h.example:8443/a?b=***")]
    [InlineData("http://h/?flag", "http://h/?***")]
    [InlineData("http://h/p?a=1&TOKEN", "http://h/p?a=***&***")]
    [InlineData("not a url", "***")]
    public void Urls_keep_scheme_host_and_path(string url, string shown) => Assert.Equal(shown, ParameterRedaction.RedactUrl(url));

    [Fact]
    public void A_parameters_value_that_is_not_an_object_is_hidden_whole()
    {
        var hidden = ParameterRedaction.Redact(JsonSerializer.SerializeToElement(new[] { "a" }), new HashSet<string> { "a" });
        Assert.Equal("***", hidden.GetString());
    }
}
