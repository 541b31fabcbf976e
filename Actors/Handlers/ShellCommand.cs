using System.Diagnostics;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// How a shell attempt's program is started: found the way execvp would find it (its PATH, its working directory),
/// then run through <c>setsid</c>, so it leads a new session and process group (see <see cref="ProcessGroup"/>), and
/// through <c>setpriv</c> when it runs as another user. Both tools come with util-linux and exec the program in
/// place: spawned by .NET the child is not a group leader, so setsid does not fork and the program keeps the pid
/// .NET knows, which is also its group id.
/// </summary>
internal static class ShellCommand
{
    private static readonly string[] ToolDirectories = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

    /// <summary>Null when util-linux is missing: shell attempts then fail to start rather than run without their group.</summary>
    public static readonly string? Setsid = Tool("setsid");
    private static readonly string? Setpriv = Tool("setpriv");

    /// <summary>The program's full path, or why it cannot be started.</summary>
    public static string Resolve(string command, string path, string? workingDirectory)
    {
        if (workingDirectory is not null && !Directory.Exists(workingDirectory))
            throw StartFailed($"the working directory '{workingDirectory}' does not exist");
        if (command.Contains('/'))
        {
            var full = Path.GetFullPath(command, workingDirectory ?? Environment.CurrentDirectory);
            return IsExecutable(full) ? full : throw StartFailed($"cannot start '{command}': no executable file at {full}");
        }
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, command);
            if (IsExecutable(candidate)) return candidate;
        }
        throw StartFailed($"cannot start '{command}': not found on PATH ({path})");
    }

    /// <summary>The start info: <c>setsid -- [setpriv … --] program args…</c>, with exactly <paramref name="environment"/>.</summary>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> args, UnixUser? user, IReadOnlyDictionary<string, string> environment, string? workingDirectory)
    {
        var psi = new ProcessStartInfo(Setsid ?? throw StartFailed("setsid (util-linux) is not installed: it keeps a program's children in a group that ends with the attempt"))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        psi.ArgumentList.Add("--");
        if (user is not null)
        {
            psi.ArgumentList.Add(Setpriv ?? throw StartFailed("setpriv (util-linux) is not installed: runAs needs it"));
            psi.ArgumentList.Add($"--reuid={user.Uid}");
            psi.ArgumentList.Add($"--regid={user.Gid}");
            psi.ArgumentList.Add("--init-groups");
            psi.ArgumentList.Add("--");
        }
        psi.ArgumentList.Add(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        psi.Environment.Clear();
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        return psi;
    }

    private static bool IsExecutable(string file) =>
        File.Exists(file) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);

    private static string? Tool(string name) =>
        ToolDirectories.Select(d => Path.Combine(d, name)).FirstOrDefault(IsExecutable);

    private static JobHandlerException StartFailed(string message) => new("start-failed", message, retryable: false);
}
