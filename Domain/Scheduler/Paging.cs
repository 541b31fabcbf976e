namespace Akka.Jobs.Domain.Scheduler;

/// <summary>Cuts a reply into pages that fit one cluster message.</summary>
public static class Paging
{
    /// <summary>
    /// The first items of <paramref name="ordered"/>, at most <paramref name="limit"/> and at most <paramref name="budget"/>
    /// bytes by <paramref name="size"/> (but always one, whatever its size), and whether more follow.
    /// </summary>
    public static (IReadOnlyList<T> Page, bool More) Take<T>(IEnumerable<T> ordered, int limit, int budget, Func<T, int> size)
    {
        var page = new List<T>();
        var used = 0;
        foreach (var item in ordered)
        {
            var bytes = size(item);
            if (page.Count == limit || (page.Count > 0 && used + bytes > budget)) return (page, true);
            page.Add(item);
            used += bytes;
        }
        return (page, false);
    }
}
