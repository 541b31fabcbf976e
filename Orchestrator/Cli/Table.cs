namespace Akka.Jobs.Orchestrator.Cli;

/// <summary>
/// A plain-text table that fits the terminal width: columns separated by two spaces, numbers right-aligned, and when
/// the rows are too wide the widest shrinkable column gives way first, its cells cut with "…".
/// </summary>
public sealed class Table
{
    private const string Gap = "  ";
    private readonly List<Column> _columns = [];
    private readonly List<string[]> _rows = [];

    private sealed record Column(string Header, bool Right, bool Keep, bool CutStart);

    /// <summary>
    /// Adds a column. <paramref name="right"/> aligns numbers; <paramref name="keep"/> is cut only as a last resort (ids
    /// people copy); <paramref name="cutStart"/> cuts from the left, for addresses whose end (host:port) tells them apart.
    /// </summary>
    public Table Col(string header, bool right = false, bool keep = false, bool cutStart = false)
    {
        _columns.Add(new Column(header, right, keep, cutStart));
        return this;
    }

    public int Count => _rows.Count;

    public void Row(params string?[] cells)
    {
        if (cells.Length != _columns.Count) throw new ArgumentException($"expected {_columns.Count} cells, got {cells.Length}");
        _rows.Add(cells.Select(Clean).ToArray());
    }

    public void Write(TextWriter output, int width)
    {
        var widths = _columns.Select((c, i) => _rows.Select(r => r[i].Length).Prepend(c.Header.Length).Max()).ToArray();
        Fit(widths, width);
        output.WriteLine(Line(_columns.Select(c => c.Header).ToArray(), widths));
        foreach (var row in _rows) output.WriteLine(Line(row, widths));
    }

    private void Fit(int[] widths, int width)
    {
        int Total() => widths.Sum() + Gap.Length * (widths.Length - 1);
        // Each pass cuts the widest column it may, one character at a time: first the free columns down to a readable
        // width (their header or 8), then the kept ones (ids people copy) likewise, and only then anything to 3.
        var readable = widths.Select((w, i) => Math.Min(w, Math.Max(_columns[i].Header.Length, 8))).ToArray();
        var passes = new (Func<int, bool> May, Func<int, int> Min)[]
        {
            (i => !_columns[i].Keep, i => readable[i]),
            (_ => true, i => readable[i]),
            (_ => true, _ => 3),
        };
        foreach (var (may, min) in passes)
        {
            while (Total() > width)
            {
                var candidates = Enumerable.Range(0, widths.Length).Where(i => may(i) && widths[i] > min(i)).ToList();
                if (candidates.Count == 0) break;
                widths[candidates.MaxBy(i => widths[i])]--;
            }
        }
    }

    private string Line(string[] cells, int[] widths)
    {
        var parts = new string[cells.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            var text = _columns[i].CutStart ? CutStart(cells[i], widths[i]) : Cut(cells[i], widths[i]);
            parts[i] = _columns[i].Right ? text.PadLeft(widths[i]) : text.PadRight(widths[i]);
        }
        return string.Join(Gap, parts).TrimEnd();
    }

    /// <summary>Cuts text to <paramref name="width"/> characters, the last one "…".</summary>
    public static string Cut(string text, int width) =>
        text.Length <= width ? text : width <= 0 ? "" : text[..(width - 1)] + "…";

    /// <summary>Cuts text to <paramref name="width"/> characters keeping its end, the first one "…".</summary>
    public static string CutStart(string text, int width) =>
        text.Length <= width ? text : width <= 0 ? "" : "…" + text[(text.Length - width + 1)..];

    /// <summary>Cells are one line: control characters (newlines in an error) become spaces.</summary>
    public static string Clean(string? text) =>
        text is null ? "" : new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
}

/// <summary>"Key   value" lines for one object (a job, a run), values cut to the width.</summary>
public sealed class Details
{
    private readonly List<(string Key, string Value)> _lines = [];

    public Details Add(string key, string? value)
    {
        if (!string.IsNullOrEmpty(value)) _lines.Add((key, Table.Clean(value)));
        return this;
    }

    public void Write(TextWriter output, int width)
    {
        var keyWidth = _lines.Count == 0 ? 0 : _lines.Max(l => l.Key.Length);
        foreach (var (key, value) in _lines)
            output.WriteLine($"{key.PadRight(keyWidth)}  {Table.Cut(value, width - keyWidth - 2)}".TrimEnd());
    }
}
