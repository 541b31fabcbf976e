namespace Akka.Jobs.Contracts.Jobs;

/// <summary>One problem with an input, naming the field it concerns (e.g. <c>retry.maxAttempts</c>).</summary>
public sealed record ValidationError(string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Field}: {Message}";
}
