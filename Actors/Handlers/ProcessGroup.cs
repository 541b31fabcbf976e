using System.Runtime.InteropServices;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// A shell attempt's program starts as the leader of its own session and process group (through <c>setsid</c>), and
/// everything it starts stays in that group unless it makes a session of its own. Killing the group when the attempt
/// ends reaches background children (<c>cmd &amp;</c>) that <see cref="System.Diagnostics.Process.Kill(bool)"/> misses
/// once their parent has exited.
/// </summary>
internal static class ProcessGroup
{
    private const int SIGKILL = 9;

    /// <summary>
    /// Sends SIGKILL to every process of the group whose id is <paramref name="leaderPid"/>; a group that is gone
    /// already is fine. The id stays reserved while any member lives, so it cannot name another group then.
    /// </summary>
    public static void Kill(int leaderPid)
    {
        // kill(-1) would signal every process the node may signal, kill(0) the node's own group.
        if (leaderPid <= 1) return;
        _ = kill(-leaderPid, SIGKILL);
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern int kill(int pid, int signal);
}
