using System.Text;

namespace Bus.Cli.Output;

/// <summary>
/// Text that came from a bag or a message (paths, reasons, titles, tag values, last errors, message
/// bodies) made safe for a terminal: ANSI/VT escape sequences (ESC and C1 introduced) removed whole,
/// other C0 and C1 control characters and DEL removed, tabs and line breaks turned into spaces (kept
/// as line breaks where a command prints several lines), and Unicode bidirectional embeddings,
/// overrides and isolates removed, so a bag cannot recolour, move the cursor, retitle the window,
/// overwrite a line with '\r' or reorder what busctl prints. JSON output needs none of this: the
/// serializer writes every control character as a \u escape, and scripts get the exact text.
/// </summary>
public static class TerminalText
{
    private const char Esc = '\u001b';

    /// <summary>The text for Spectre markup: cleaned, then markup-escaped.</summary>
    public static string Markup(string? text) => Spectre.Console.Markup.Escape(Clean(text));

    /// <summary>Several values on their own lines (one table cell), each cleaned, for Spectre markup.</summary>
    public static string MarkupLines(IEnumerable<string> lines) => Spectre.Console.Markup.Escape(string.Join("\n", lines.Select(l => Clean(l))));

    public static string Clean(string? text, bool keepLines = false)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (!text.Any(NeedsWork)) return text;
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == Esc || c is '\u009b' or '\u009d' or '\u0090' or '\u0098' or '\u009e' or '\u009f')
            {
                i = EndOfSequence(text, i);
                continue;
            }
            if (c == '\n' && keepLines) clean.Append('\n');
            else if (c == '\t' && keepLines) clean.Append('\t');
            else if (c == '\r' && keepLines) { /* "\r\n" is a line break; a lone '\r' would overwrite the line */ }
            else if (c is '\t' or '\n' or '\r' or '\v' or '\f') clean.Append(' ');
            else if (!NeedsWork(c)) clean.Append(c);
        }
        return clean.ToString();
    }

    private static bool NeedsWork(char c) =>
        char.IsControl(c) // C0, DEL, C1
        || c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069';

    /// <summary>Index of the last character of the escape sequence starting at <paramref name="start"/>.</summary>
    private static int EndOfSequence(string text, int start)
    {
        var c = text[start];
        var i = start + 1;
        char kind;
        if (c == Esc)
        {
            if (i >= text.Length) return start;
            kind = text[i];
            i++;
        }
        else
        {
            // 8-bit forms: CSI, OSC, DCS, SOS, PM, APC.
            kind = c switch { '\u009b' => '[', '\u009d' => ']', '\u0090' => 'P', '\u0098' => 'X', '\u009e' => '^', _ => '_' };
        }
        switch (kind)
        {
            case '[':
                // Parameters and intermediates (0x20-0x3F), then one final byte (0x40-0x7E).
                while (i < text.Length && text[i] is >= ' ' and <= '?') i++;
                return i < text.Length && text[i] is >= '@' and <= '~' ? i : i - 1;
            case ']' or 'P' or 'X' or '^' or '_':
                // A string ended by BEL or ST (ESC \ or 0x9C); unterminated, it runs to the end.
                for (; i < text.Length; i++)
                {
                    if (text[i] is '\u0007' or '\u009c') return i;
                    if (text[i] == Esc && i + 1 < text.Length && text[i + 1] == '\\') return i + 1;
                }
                return text.Length - 1;
            default:
                // Two-character (and nF) escapes: intermediates 0x20-0x2F, then a final byte.
                i--;
                while (i < text.Length && text[i] is >= ' ' and <= '/') i++;
                return i < text.Length && text[i] is >= '0' and <= '~' ? i : i - 1;
        }
    }
}
