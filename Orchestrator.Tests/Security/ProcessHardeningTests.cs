using Akka.Jobs.Orchestrator.Node;
using Akka.Jobs.Tests.Infrastructure;
using Xunit;

namespace Akka.Jobs.Tests.Security;

/// <summary>
/// A started node is not dumpable, so a program running as the node's user (a shell job) cannot read the node's
/// environment or memory through /proc. (Checked by hand as user nobody: a child's `cat /proc/&lt;parent&gt;/environ` is
/// "Permission denied" once the parent called prctl(PR_SET_DUMPABLE, 0), and prints the environment before.)
/// </summary>
public sealed class ProcessHardeningTests
{
    [Fact]
    public async Task A_node_hides_its_environment_and_memory_from_programs_of_the_same_user()
    {
        if (!OperatingSystem.IsLinux()) return;
        await using var node = await TestNode.StartAsync();
        Assert.False(ProcessHardening.IsDumpable);
        // The node still reads its own /proc entries (the runtime does).
        Assert.NotEmpty(await File.ReadAllBytesAsync("/proc/self/environ"));
    }
}
