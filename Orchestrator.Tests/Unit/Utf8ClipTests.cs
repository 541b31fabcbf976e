using System.Text;
using Akka.Jobs.Actors.Handlers;
using Xunit;

namespace Akka.Jobs.Tests.Unit;

public sealed class Utf8ClipTests
{
    private static int Bytes(string s) => Encoding.UTF8.GetByteCount(s);

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    public void Text_that_fits_is_returned_as_is(string text)
    {
        Assert.Same(text, Utf8Clip.Tail(text, 16));
        Assert.Same(text, Utf8Clip.Head(text, 16));
        Assert.Same(text, Utf8Clip.HeadAndTail(text, 16));
    }

    [Fact]
    public void Tail_and_head_keep_whole_characters_within_the_byte_limit()
    {
        var text = string.Concat(Enumerable.Repeat("aé€😀", 100)); // 1, 2, 3 and 4 bytes (a surrogate pair)

        for (var max = 1; max < 40; max++)
        {
            var tail = Utf8Clip.Tail(text, max);
            var head = Utf8Clip.Head(text, max);
            Assert.InRange(Bytes(tail), Math.Max(0, max - 3), max);
            Assert.InRange(Bytes(head), Math.Max(0, max - 3), max);
            Assert.EndsWith(tail, text);
            Assert.StartsWith(head, text);
            Assert.False(tail.Length > 0 && char.IsLowSurrogate(tail[0]), $"tail {max} starts inside a pair");
            Assert.False(head.Length > 0 && char.IsHighSurrogate(head[^1]), $"head {max} ends inside a pair");
        }
    }

    [Fact]
    public void Head_and_tail_keep_the_start_and_the_end_of_a_long_message_within_the_limit()
    {
        var message = "exit code 3: " + new string('x', 10_000_000) + "last line";

        var clipped = Utf8Clip.HeadAndTail(message, 4096);

        Assert.InRange(Bytes(clipped), 4_000, 4_096);
        Assert.StartsWith("exit code 3: xxx", clipped);
        Assert.EndsWith("xxxlast line", clipped);
        Assert.Contains(Utf8Clip.CutMarker, clipped);
    }
}
