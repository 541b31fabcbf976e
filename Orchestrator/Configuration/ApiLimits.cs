namespace Akka.Jobs.Orchestrator.Configuration;

/// <summary>Limits of the HTTP API (<c>akka.jobs.api.*</c>); see <see cref="ApiLimitsConfig"/>.</summary>
public sealed record ApiLimits
{
    /// <summary>Largest request body, enforced by Kestrel and by the JSON reader (413).</summary>
    public long MaxRequestBodyBytes { get; init; } = 256 * 1024;
    /// <summary>
    /// Kestrel's own ceiling, above <see cref="MaxRequestBodyBytes"/>: a client reads the reply only after it has sent its
    /// body, so after a 413 Kestrel reads and drops the rest of the body, and it can only do so up to its own limit
    /// (beyond it the connection is reset and the client sees no reply at all). Bodies above this ceiling get that reset.
    /// </summary>
    public long TransportMaxRequestBodyBytes => MaxRequestBodyBytes * 16;
    /// <summary>Mutating calls per caller; <see cref="RateLimit.Off"/> turns the limiter off.</summary>
    public RateLimit RateLimit { get; init; } = RateLimit.Default;
    /// <summary>Host headers accepted (port ignored, <c>*.example.com</c> allowed); null: decided by the listen address.</summary>
    public IReadOnlyList<string>? AllowedHosts { get; init; }
}

/// <summary>
/// A token bucket per caller over POST/PUT/DELETE: <see cref="Burst"/> calls at once, refilled by
/// <see cref="RequestsPerSecond"/> each second. 0 requests per second: no limit.
/// </summary>
public sealed record RateLimit(int RequestsPerSecond, int Burst)
{
    /// <summary>
    /// A person or a script registering a batch of jobs never meets it (100 at once, then 20 a second); a runaway
    /// loop or a leaked token is slowed to a pace the journal and the audit log absorb.
    /// </summary>
    public static readonly RateLimit Default = new(20, 100);

    public static readonly RateLimit Off = new(0, 0);

    public bool IsOff => RequestsPerSecond <= 0;
}
