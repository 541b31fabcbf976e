namespace Akka.Jobs.Domain.Access;

/// <summary>
/// What a caller may do; each role includes the ones below it. <c>viewer</c> reads; <c>operator</c> also steers runs
/// and the cluster (trigger, cancel, pause, resume, backfill, leave/down/join); <c>admin</c> also creates, changes and
/// deletes jobs.
/// </summary>
public enum Role
{
    Viewer = 1,
    Operator = 2,
    Admin = 3,
}

/// <summary>Role names as they are written in configuration and shown to people.</summary>
public static class Roles
{
    public static string Name(Role role) => role.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out Role role)
    {
        role = default;
        return text is not null && Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(text, out _);
    }
}
