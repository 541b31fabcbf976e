using System.Text;

namespace Akka.Jobs.Actors.Handlers;

/// <summary>
/// Keeps the last <see cref="MaxBytes"/> bytes (UTF-8) of text appended from several threads; memory stays
/// bounded however much is appended.
/// </summary>
public sealed class OutputTail(int maxBytes = OutputTail.DefaultMaxBytes)
{
    /// <summary>4 KB, the size kept with an attempt.</summary>
    public const int DefaultMaxBytes = 4096;

    private readonly object _gate = new();
    private readonly StringBuilder _text = new();

    /// <summary>The most bytes <see cref="ToString"/> returns.</summary>
    public int MaxBytes { get; } = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes));

    /// <summary>Appends a chunk, dropping the oldest text once it is well past the limit.</summary>
    public void Append(ReadOnlySpan<char> chunk)
    {
        if (chunk.Length > MaxBytes) chunk = chunk[^MaxBytes..]; // a char is at least one byte
        lock (_gate)
        {
            _text.Append(chunk);
            if (_text.Length > 2 * MaxBytes) _text.Remove(0, _text.Length - MaxBytes);
        }
    }

    /// <summary>The kept tail, at most <see cref="MaxBytes"/> bytes when encoded as UTF-8.</summary>
    public override string ToString()
    {
        string s;
        lock (_gate) s = _text.ToString();
        return Utf8Clip.Tail(s, MaxBytes);
    }
}
