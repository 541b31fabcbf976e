using System.Net;
using System.Text.Json;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Examples.CustomHandler;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;
using static Akka.Jobs.Tests.Handlers.HandlerTestSupport;

namespace Akka.Jobs.Tests.Api;

/// <summary>The example's <see cref="WordCountHandler"/> registered on a real node, as examples/CustomHandler does.</summary>
public sealed class CustomHandlerExampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-jobs-wc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Word_count_run_succeeds_and_a_missing_file_fails_without_retry()
    {
        await using var node = await TestNode.StartAsync(configureServices: s => s.AddJobHandler<WordCountHandler>(WordCountHandler.Name));
        var http = node.Http;
        var file = Path.Combine(_dir, "text.txt");
        await File.WriteAllTextAsync(file, "one two  three\nfour\tfive\n");

        var ok = JsonSerializer.Serialize(new { schedule = "manual", handler = "word-count", parameters = new { path = file } });
        Assert.Equal(HttpStatusCode.Created, (await http.PutJob("count-words", ok)).Status);
        var run = await http.WaitForRunEnd("count-words", await http.Trigger("count-words"));
        Assert.Equal("succeeded", run.Str("status"));
        Assert.Equal(1, run.GetProperty("attempts").GetInt32());

        // The API shows no attempt output; the handler's own result is checked directly.
        var result = await new WordCountHandler().ExecuteAsync(
            Context("word-count", JsonSerializer.Serialize(new { path = file })), CancellationToken.None);
        Assert.Equal("5 words", result.Output);

        var missing = JsonSerializer.Serialize(new
        {
            schedule = "manual",
            handler = "word-count",
            parameters = new { path = Path.Combine(_dir, "absent.txt") },
            retry = new { maxAttempts = 3 },
        });
        Assert.Equal(HttpStatusCode.Created, (await http.PutJob("count-missing", missing)).Status);
        run = await http.WaitForRunEnd("count-missing", await http.Trigger("count-missing"));
        Assert.Equal("failed", run.Str("status"));
        Assert.Equal(1, run.GetProperty("attempts").GetInt32());
        Assert.Contains("absent.txt' does not exist", run.Str("error"));
    }

    [Fact]
    public async Task Unregistered_handler_name_is_rejected_on_a_node_without_it()
    {
        await using var plain = await TestNode.StartAsync();
        var (status, error) = await plain.Http.PutJob("count-elsewhere", """{"schedule":"manual","handler":"word-count","parameters":{"path":"/x"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("handler", error.Str("field"));
        Assert.Contains(WordCountHandler.Name, error.Str("error"));
    }
}
