using System.Runtime.InteropServices;

namespace Akka.Jobs.Orchestrator.Node;

/// <summary>
/// Keeps the node's memory and environment from programs running as the same operating-system user. A shell job's
/// program starts with an allow-listed environment, but without this it could still read the node's whole environment
/// (the database connection string, API tokens, secrets' variables) from <c>/proc/&lt;node pid&gt;/environ</c>, or its
/// memory, since both belong to the same user. A process that is not "dumpable" has its <c>/proc</c> entries owned
/// by root and cannot be traced by its user; the node itself can still read its own. Root reads them regardless: a
/// node that runs as root should run shell jobs with <c>runAs</c>. The cost: no core dumps, and no debugger or
/// <c>dotnet-dump</c> attach as the node's user (<c>AKKA_JOBS_DUMPABLE=1</c> keeps the process dumpable for that).
/// </summary>
public static class ProcessHardening
{
    private const int PrGetDumpable = 3, PrSetDumpable = 4;

    /// <summary>Makes the process non-dumpable on Linux unless <c>AKKA_JOBS_DUMPABLE=1</c>; elsewhere does nothing.</summary>
    public static void HideFromSameUser(Func<string, string?> env)
    {
        if (!OperatingSystem.IsLinux() || env("AKKA_JOBS_DUMPABLE") == "1") return;
        _ = prctl(PrSetDumpable, 0, 0, 0, 0);
    }

    /// <summary>Whether the process is dumpable (readable and traceable by its user); null when not on Linux.</summary>
    public static bool? IsDumpable => OperatingSystem.IsLinux() ? prctl(PrGetDumpable, 0, 0, 0, 0) == 1 : null;

    [DllImport("libc", ExactSpelling = true)]
    private static extern int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
