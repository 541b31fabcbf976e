using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Actors.Handlers;
using Xunit;
using static Akka.Jobs.Tests.Handlers.HandlerTestSupport;

namespace Akka.Jobs.Tests.Handlers;

public sealed class HandlerParameterValidationTests
{
    [Fact]
    public void Valid_shell_parameters_have_no_errors() =>
        Assert.Empty(HandlerParameterValidation.ValidateShell(Json(
            """{"command":"/bin/sh","args":["-c","echo hi"],"env":{"A":"x","N":2,"B":false},"workingDirectory":"/tmp"}""")));

    [Theory]
    [InlineData("""{}""", "parameters.command")]
    [InlineData("""{"command":""}""", "parameters.command")]
    [InlineData("""{"command":5}""", "parameters.command")]
    [InlineData("""{"command":"ls","args":"-l"}""", "parameters.args")]
    [InlineData("""{"command":"ls","args":["-l",3]}""", "parameters.args[1]")]
    [InlineData("""{"command":"ls","env":["A"]}""", "parameters.env")]
    [InlineData("""{"command":"ls","env":{"A":{"x":1}}}""", "parameters.env.A")]
    [InlineData("""{"command":"ls","workingDirectory":7}""", "parameters.workingDirectory")]
    [InlineData("""[]""", "parameters")]
    public void Invalid_shell_parameters_name_the_field(string json, string field)
    {
        var errors = HandlerParameterValidation.ValidateShell(Json(json));

        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void Valid_http_parameters_have_no_errors() =>
        Assert.Empty(HandlerParameterValidation.ValidateHttp(Json(
            """{"method":"POST","url":"https://example.com/hook","headers":{"X-A":"1","X-Key":{"secret":"hook-key"}},"body":{"k":"v"},"bearerTokenSecret":"hook_token","followRedirects":true}""")));

    [Theory]
    [InlineData("""{}""", "parameters.url")]
    [InlineData("""{"url":"/relative"}""", "parameters.url")]
    [InlineData("""{"url":"file:///etc/passwd"}""", "parameters.url")]
    [InlineData("""{"url":"http://x","method":"GE T"}""", "parameters.method")]
    [InlineData("""{"url":"http://x","headers":{"X-A":1}}""", "parameters.headers.X-A")]
    [InlineData("""{"url":"http://x","headers":"X-A: 1"}""", "parameters.headers")]
    [InlineData("""{"url":"http://x","body":42}""", "parameters.body")]
    [InlineData("""{"url":"http://x","body":"a","contentType":"not a type"}""", "parameters.contentType")]
    [InlineData("""{"url":"http://x","bearerTokenEnv":""}""", "parameters.bearerTokenEnv")]
    [InlineData("""{"url":"http://x","bearerTokenEnv":"AKKA_JOBS_DB"}""", "parameters.bearerTokenEnv")]
    [InlineData("""{"url":"http://x","bearerTokenSecret":""}""", "parameters.bearerTokenSecret")]
    [InlineData("""{"url":"http://x","bearerTokenSecret":"a.b"}""", "parameters.bearerTokenSecret")]
    [InlineData("""{"url":"http://x","bearerTokenSecret":{"secret":"a"}}""", "parameters.bearerTokenSecret")]
    [InlineData("""{"url":"http://x","bearerTokenSecret":"a","headers":{"authorization":"Basic x"}}""", "parameters.bearerTokenSecret")]
    [InlineData("""{"url":"http://x","headers":{"X-A":{"secret":5}}}""", "parameters.headers.X-A")]
    [InlineData("""{"url":"http://x","headers":{"X-A":{"secret":"a","env":"B"}}}""", "parameters.headers.X-A")]
    [InlineData("""{"url":"http://x","headers":{"X-A":{"name":"a"}}}""", "parameters.headers.X-A")]
    [InlineData("""{"url":"http://x","followRedirects":"yes"}""", "parameters.followRedirects")]
    public void Invalid_http_parameters_name_the_field(string json, string field)
    {
        var errors = HandlerParameterValidation.ValidateHttp(Json(json));

        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void Bearer_token_env_is_refused_with_one_message_whatever_the_variable()
    {
        var messages = new[] { "AKKA_JOBS_DB", "PATH", "NO_SUCH_VARIABLE_X", "AKKA_JOBS_SECRET_A" }
            .Select(v => Assert.Single(HandlerParameterValidation.ValidateHttp(Json($$"""{"url":"http://x","bearerTokenEnv":"{{v}}"}"""))).Message)
            .Distinct()
            .ToList();

        Assert.Contains("bearerTokenSecret", Assert.Single(messages));
    }

    [Fact]
    public void Validate_dispatches_by_handler_name_and_ignores_unknown_handlers()
    {
        Assert.Contains(HandlerParameterValidation.Validate("shell", Json("{}")), e => e.Field == "parameters.command");
        Assert.Contains(HandlerParameterValidation.Validate("http", Json("{}")), e => e.Field == "parameters.url");
        Assert.Empty(HandlerParameterValidation.Validate("custom", Json("{}")));
    }

    [Fact]
    public void Output_tail_keeps_at_most_4_KB_of_the_latest_text()
    {
        var tail = new OutputTail();
        for (var i = 0; i < 1000; i++) tail.Append($"line {i:D4} é€\n");

        var text = tail.ToString();
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(text) <= OutputTail.DefaultMaxBytes);
        Assert.EndsWith("line 0999 é€\n", text);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(text) > OutputTail.DefaultMaxBytes - 20);
    }
}
