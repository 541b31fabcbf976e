using Akka.Jobs.Domain.Jobs;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

public class DomainPurityTests
{
    /// <summary>
    /// The build keeps Akka off the domain project's compile references (see its csproj); this checks the result:
    /// the compiled decisions reference no Akka assembly, only our Contracts (and the BCL and Quartz).
    /// </summary>
    [Fact]
    public void Domain_assembly_references_no_Akka_assembly()
    {
        var references = typeof(JobState).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Akka.Jobs.Contracts", references);
        Assert.Contains("Quartz", references);
        Assert.DoesNotContain(references, r => r == "Akka" || r.StartsWith("Akka.", StringComparison.Ordinal) && !r.StartsWith("Akka.Jobs.", StringComparison.Ordinal));
    }
}
