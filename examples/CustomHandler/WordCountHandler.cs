using System.Globalization;
using Akka.Jobs.Actors.Handlers;
using Akka.Jobs.Contracts.Jobs;

namespace Akka.Jobs.Examples.CustomHandler;

/// <summary>
/// Counts the words of a text file (parameter <c>path</c>) and reports <c>"N words"</c> as the output.
/// A missing parameter or file fails with kind <c>missing-file</c>, not retryable: another attempt cannot help.
/// </summary>
public sealed class WordCountHandler : IJobHandler
{
    /// <summary>The name definitions use: <c>handler = word-count</c>.</summary>
    public const string Name = "word-count";

    public async Task<HandlerResult> ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        var path = context.Parameters.GetString("path");
        if (string.IsNullOrWhiteSpace(path))
            throw new JobHandlerException("missing-file", "parameter 'path' is required", retryable: false);
        if (!File.Exists(path))
            throw new JobHandlerException("missing-file", $"'{path}' does not exist", retryable: false);

        var text = await File.ReadAllTextAsync(path, cancellationToken);
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        return new HandlerResult(string.Create(CultureInfo.InvariantCulture, $"{words} words"));
    }
}
