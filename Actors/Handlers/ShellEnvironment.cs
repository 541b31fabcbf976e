using System.Globalization;
using System.Text.Json;
using Akka.Jobs.Domain.Definitions;
using Akka.Jobs.Domain.Secrets;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// The whole environment a shell attempt's program starts with. It starts empty, not as a copy of the node's: the
/// node's variables hold its database connection string and API tokens, and a job's output is readable by viewers.
/// </summary>
public static class ShellEnvironment
{
    /// <summary>Node variables every program gets when the node has them: what programs need to behave normally.</summary>
    public static readonly IReadOnlyList<string> Basic = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"];

    /// <summary>PATH when the node has none.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// In order, later ones winning: the <see cref="Basic"/> node variables, those the operator passes through
    /// (<see cref="ShellPolicy.PassEnv"/>), HOME of the user the program runs as, the job's <c>env</c> parameter,
    /// and the run variables <c>AKKA_JOBS_JOB_ID</c>, <c>_RUN_ID</c>, <c>_ITEM</c>, <c>_ATTEMPT</c>, <c>_SCHEDULED_UTC</c>.
    /// </summary>
    /// <param name="node">Reads one of the node's variables (the process environment, or a test's).</param>
    /// <param name="runAsHome">The home directory of the <c>runAs</c> user; null when the program runs as the node's user.</param>
    /// <param name="secrets">Resolves <c>{"secret": "name"}</c> values of <c>env</c>; one the job may not use fails the attempt (kind <c>secret</c>).</param>
    public static Dictionary<string, string> Build(JobContext context, ShellPolicy policy, Func<string, string?> node, string? runAsHome, ISecretStore secrets)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Basic.Concat(policy.PassEnv))
            if (node(name) is { } value)
                env[name] = value;
        if (!env.TryGetValue("PATH", out var path) || path.Length == 0) env["PATH"] = DefaultPath;
        if (runAsHome is not null) env["HOME"] = runAsHome;

        if (HandlerParameterValidation.TryGet(context.Parameters, "env", out var own))
            foreach (var e in own.EnumerateObject())
                env[e.Name] = SecretReferences.IsReference(e.Value, out var secret) ? Resolve(secret!, e.Name, context, secrets) : ValueOf(e.Value);

        env["AKKA_JOBS_JOB_ID"] = context.JobId;
        env["AKKA_JOBS_RUN_ID"] = context.RunId;
        env["AKKA_JOBS_ITEM"] = context.ItemKey;
        env["AKKA_JOBS_ATTEMPT"] = context.Attempt.ToString(CultureInfo.InvariantCulture);
        env["AKKA_JOBS_SCHEDULED_UTC"] = context.ScheduledUtc.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        return env;
    }

    private static string Resolve(string secret, string variable, JobContext context, ISecretStore secrets) =>
        secrets.TryResolve(secret, context.Definition.Tenant, host: null, out var value, out var error)
            ? value
            : throw new JobHandlerException("secret", $"parameters.env.{variable}: {error}", retryable: false);

    /// <summary>One value of the job's <c>env</c> object (validated at registration: a string, number or boolean).</summary>
    private static string ValueOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}
