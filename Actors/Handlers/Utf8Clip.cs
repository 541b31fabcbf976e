using System.Text;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// Cuts text to a number of UTF-8 bytes, never splitting a surrogate pair. Only the ends of the text are looked
/// at, so clipping a 10 MB string costs as little as clipping a 5 KB one (it runs on actor threads).
/// </summary>
public static class Utf8Clip
{
    /// <summary>What marks the place where <see cref="HeadAndTail"/> cut text out.</summary>
    public const string CutMarker = "\n…\n";

    /// <summary>The last bytes of <paramref name="text"/>, at most <paramref name="maxBytes"/> of them.</summary>
    public static string Tail(string text, int maxBytes)
    {
        if (Fits(text, maxBytes)) return text;
        // A char is at least one byte: more than maxBytes chars can never fit.
        var s = text.Length > maxBytes ? text[^maxBytes..] : text;
        var start = 0;
        var bytes = Encoding.UTF8.GetByteCount(s);
        while (bytes > maxBytes)
        {
            var n = char.IsHighSurrogate(s[start]) && start + 1 < s.Length ? 2 : 1;
            bytes -= Encoding.UTF8.GetByteCount(s.AsSpan(start, n));
            start += n;
        }
        if (start < s.Length && char.IsLowSurrogate(s[start])) start++;
        return start == 0 ? s : s[start..];
    }

    /// <summary>The first bytes of <paramref name="text"/>, at most <paramref name="maxBytes"/> of them.</summary>
    public static string Head(string text, int maxBytes)
    {
        if (Fits(text, maxBytes)) return text;
        var s = text.Length > maxBytes ? text[..maxBytes] : text;
        var end = s.Length;
        var bytes = Encoding.UTF8.GetByteCount(s);
        while (bytes > maxBytes)
        {
            var n = char.IsLowSurrogate(s[end - 1]) && end > 1 ? 2 : 1;
            bytes -= Encoding.UTF8.GetByteCount(s.AsSpan(end - n, n));
            end -= n;
        }
        if (end > 0 && char.IsHighSurrogate(s[end - 1])) end--;
        return end == s.Length ? s : s[..end];
    }

    /// <summary>
    /// <paramref name="text"/> when it fits, else its first quarter and its end joined by <see cref="CutMarker"/>, at
    /// most <paramref name="maxBytes"/> in all. For error messages: the start says what failed, the end holds the
    /// last output (a shell failure's message ends with its output's tail).
    /// </summary>
    public static string HeadAndTail(string text, int maxBytes)
    {
        if (Fits(text, maxBytes)) return text;
        var room = maxBytes - Encoding.UTF8.GetByteCount(CutMarker);
        var head = Head(text, room / 4);
        return head + CutMarker + Tail(text, room - Encoding.UTF8.GetByteCount(head));
    }

    private static bool Fits(string text, int maxBytes) =>
        text.Length <= maxBytes / 3 || (text.Length <= maxBytes && Encoding.UTF8.GetByteCount(text) <= maxBytes);
}
