using Akka.Jobs.Orchestrator.Cli;
using Xunit;

namespace Akka.Jobs.Tests.CliTests;

public sealed class TableTests
{
    private static string[] Render(Table table, int width)
    {
        var w = new StringWriter();
        table.Write(w, width);
        return w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }

    [Fact]
    public void Numbers_are_right_aligned_and_columns_two_spaces_apart()
    {
        var t = new Table().Col("NAME").Col("COUNT", right: true);
        t.Row("a", "5");
        t.Row("bb", "120");
        Assert.Equal(["NAME  COUNT", "a         5", "bb      120"], Render(t, 80));
    }

    [Fact]
    public void A_wide_table_cuts_the_widest_free_column_with_an_ellipsis_and_keeps_kept_ids()
    {
        var t = new Table().Col("ID", keep: true).Col("TEXT").Col("N", right: true);
        t.Row("job-with-a-long-identifier-0001", new string('x', 100), "42");
        var lines = Render(t, 80);
        Assert.All(lines, l => Assert.True(l.Length <= 80, l));
        Assert.StartsWith("job-with-a-long-identifier-0001  xxx", lines[1]);
        Assert.Contains("…", lines[1]);
        Assert.EndsWith("42", lines[1]);
    }

    [Fact]
    public void An_address_column_is_cut_at_its_start()
    {
        var t = new Table().Col("ADDRESS", keep: true, cutStart: true).Col("NOTE");
        t.Row("akka.tcp://akka-jobs@a-long-host-name.example.com:4053", new string('n', 60));
        var row = Render(t, 50)[1];
        Assert.Equal(50, row.Length);
        Assert.StartsWith("…", row);
        Assert.Contains("example.com:4053  nnnn", row);
    }

    [Fact]
    public void Cells_are_one_line()
    {
        var t = new Table().Col("ERROR");
        t.Row("line one\nline two\ttabbed");
        Assert.Equal("line one line two tabbed", Render(t, 80)[1]);
    }

    [Fact]
    public void Durations_and_relative_times_read_as_people_write_them()
    {
        Assert.Equal("850ms", CliFormat.Span(TimeSpan.FromMilliseconds(850)));
        Assert.Equal("1.5s", CliFormat.Span(TimeSpan.FromMilliseconds(1500)));
        Assert.Equal("3m05s", CliFormat.Span(TimeSpan.FromSeconds(185)));
        Assert.Equal("1h02m", CliFormat.Span(TimeSpan.FromMinutes(62)));
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal("2m ago", CliFormat.Relative(now.AddMinutes(-2), now));
        Assert.Equal("in 5h", CliFormat.Relative(now.AddHours(5), now));
        Assert.Equal("now", CliFormat.Relative(now, now));
    }
}
