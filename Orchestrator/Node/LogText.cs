using System.Buffers;
using System.Text;

namespace Akka.Jobs.Orchestrator.Node;

/// <summary>
/// Makes user text safe for a one-line log entry: job ids, entity keys, HTTP error bodies and exception messages are
/// logged, and a line feed in one would forge a log line, an ESC would drive the reader's terminal.
/// </summary>
public static class LogText
{
    // C0 (tab, CR and LF included), DEL, C1 (ESC-less CSI is U+009B) and the Unicode line and paragraph separators.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7f, 0x21)).Select(i => (char)i).Concat(['\u2028', '\u2029']).ToArray());

    /// <summary>The text with each unsafe character written as an escape (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\u001b</c>).</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var first = text.AsSpan().IndexOfAny(Unsafe);
        if (first < 0) return text; // the common case costs one vectorised scan and no allocation
        var sb = new StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            if (!Unsafe.Contains(c)) sb.Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else sb.Append("\\u").Append(((int)c).ToString("x4"));
        }
        return sb.ToString();
    }
}
