using System.Text.Encodings.Web;
using System.Text.Json;

namespace Akka.Jobs.Domain.Secrets;

/// <summary>
/// Replaces secret values in text that leaves a worker (attempt outputs and error messages are persisted and shown
/// to viewers). Besides the value itself it hides the forms a server or a program is likely to echo it in (JSON- and
/// URL-escaped), and a piece of a value cut off at either end of the text: outputs are tails of at most 4 KB and
/// http bodies heads of 1 KB, so a value can straddle the cut.
/// </summary>
public sealed class SecretMask
{
    public const string Replacement = "***";

    /// <summary>A shorter piece at the text's edge is too likely to be ordinary text to hide.</summary>
    public const int MinEdgeFragment = 4;

    /// <summary>Marks a cut-off end (the http handler's body snippet).</summary>
    private const char Ellipsis = '…';

    private readonly string[] _forms;

    public SecretMask(IEnumerable<string> values) =>
        _forms = values.Where(v => v.Length > 0)
            .SelectMany(v => new[]
            {
                v,
                JsonEncodedText.Encode(v, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(), // "a\"b", as most servers write JSON
                JsonEncodedText.Encode(v).ToString(), // "a\u0022b", as System.Text.Json writes it by default
                Uri.EscapeDataString(v),
            })
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(v => v.Length) // a value that contains another is replaced whole
            .ToArray();

    /// <summary>The text with every form of every value replaced by <see cref="Replacement"/>.</summary>
    public static string Apply(string text, IEnumerable<string> values) => new SecretMask(values).Apply(text);

    public string Apply(string text)
    {
        if (_forms.Length == 0 || text.Length == 0) return text;
        foreach (var form in _forms)
            if (text.Contains(form, StringComparison.Ordinal))
                text = text.Replace(form, Replacement, StringComparison.Ordinal);
        foreach (var form in _forms) text = MaskEdges(text, form);
        return text;
    }

    /// <summary>Hides the value's tail at the start of the text, and its head at the end (before a trailing ellipsis).</summary>
    private static string MaskEdges(string text, string form)
    {
        for (var k = Math.Min(form.Length - 1, text.Length); k >= MinEdgeFragment; k--)
        {
            if (!text.AsSpan().StartsWith(form.AsSpan(form.Length - k), StringComparison.Ordinal)) continue;
            text = Replacement + text[k..];
            break;
        }
        var end = text.EndsWith(Ellipsis) ? text.Length - 1 : text.Length;
        for (var k = Math.Min(form.Length - 1, end); k >= MinEdgeFragment; k--)
        {
            if (!text.AsSpan(0, end).EndsWith(form.AsSpan(0, k), StringComparison.Ordinal)) continue;
            text = text[..(end - k)] + Replacement + text[end..];
            break;
        }
        return text;
    }
}
