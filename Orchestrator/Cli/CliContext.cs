using System.Text.Json;

namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>What one CLI command runs with: where to write, the node's client, the output mode, the clock and width.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, ApiClient api, bool json, TimeProvider clock, int width) : IDisposable
{
    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;
    public ApiClient Api { get; } = api;
    /// <summary>--output json: print the API's replies as they are (indented).</summary>
    public bool Json { get; } = json;
    public TimeProvider Clock { get; } = clock;
    /// <summary>Columns a table may use.</summary>
    public int Width { get; } = width;

    public DateTimeOffset Now => Clock.GetUtcNow();

    public void PrintJson(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Undefined) Out.WriteLine(JsonText.Indented(body));
    }

    public void Write(Table table) => table.Write(Out, Width);

    public void Write(Details details) => details.Write(Out, Width);

    public void Dispose() => Api.Dispose();
}
