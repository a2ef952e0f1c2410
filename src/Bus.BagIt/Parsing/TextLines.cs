using System.Text;

namespace Bus.BagIt.Parsing;

/// <summary>Decodes a tag file as strict UTF-8 and splits it into lines, tolerating CRLF and CR.</summary>
internal static class TextLines
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool HasByteOrderMark(ReadOnlySpan<byte> bytes) => bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]);

    public static Encoding Utf8 => Strict;

    /// <summary>
    /// The encoding bagit.txt's Tag-File-Character-Encoding names (RFC 8493 allows any IANA name;
    /// the LoC suite has UTF-16 and ISO-8859-1 bags), strict about invalid bytes; null when unknown.
    /// </summary>
    public static Encoding? ResolveEncoding(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return Strict;
        try
        {
            var encoding = Encoding.GetEncoding(name.Trim(), EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            return encoding.CodePage == Encoding.UTF8.CodePage ? Strict : encoding;
        }
        catch (ArgumentException) { return null; }
    }

    /// <summary>The text without a byte-order mark, or null when the bytes are not valid in <paramref name="encoding"/>.</summary>
    public static string? Decode(byte[] bytes, Encoding? encoding = null)
    {
        encoding ??= Strict;
        var start = encoding == Strict && HasByteOrderMark(bytes) ? 3 : 0;
        // "UTF-16" means either byte order; the byte-order mark says which (.NET's GetString does not look).
        if (encoding.CodePage is 1200 or 1201 && bytes.Length >= 2 && bytes[0] + bytes[1] == 0xFE + 0xFF && bytes[0] != bytes[1])
        {
            encoding = Encoding.GetEncoding(bytes[0] == 0xFE ? 1201 : 1200, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            start = 2;
        }
        try
        {
            var text = encoding.GetString(bytes, start, bytes.Length - start);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException) { return null; }
    }

    /// <summary>
    /// Lines of a tag file one at a time, so a 16 MiB manifest is never held as one string plus a
    /// list of lines (the validator's peak memory on a 100,000-file bag). UTF-8 is decoded line by
    /// line; other encodings (rare) are decoded whole. A null line means the bytes are not valid.
    /// </summary>
    public static IEnumerable<string?> EnumerateLines(byte[] bytes, Encoding? encoding)
    {
        encoding ??= Strict;
        if (encoding != Strict)
        {
            var text = Decode(bytes, encoding);
            if (text is null) { yield return null; yield break; }
            foreach (var line in Split(text)) yield return line;
            yield break;
        }
        var start = HasByteOrderMark(bytes) ? 3 : 0;
        for (var i = start; i <= bytes.Length; i++)
        {
            if (i < bytes.Length && bytes[i] is not ((byte)'\n' or (byte)'\r')) continue;
            if (i == bytes.Length && start == i) yield break;
            string? line;
            try { line = Strict.GetString(bytes, start, i - start); }
            catch (DecoderFallbackException) { line = null; }
            yield return line;
            if (line is null) yield break;
            if (i + 1 < bytes.Length && bytes[i] == '\r' && bytes[i + 1] == '\n') i++;
            start = i + 1;
        }
    }

    /// <summary>The longest line <see cref="ReadLinesAsync"/> holds; a longer one comes cut, marked <see cref="TextLine.TooLong"/>.</summary>
    public const int MaxLineChars = 256 * 1024;

    /// <summary>
    /// Lines of a tag file read from a stream, one in memory at a time (a staged 16 MiB manifest is
    /// never held whole), split as <see cref="EnumerateLines"/> splits bytes. A line longer than
    /// <see cref="MaxLineChars"/> characters is cut there and its rest skipped unread into memory. A
    /// UTF-8 byte-order mark comes first as its own item; other encodings' marks are dropped (UTF-16's
    /// says the byte order). A null <see cref="TextLine.Text"/> means the bytes are not valid and ends the lines.
    /// </summary>
    public static async IAsyncEnumerable<TextLine> ReadLinesAsync(Stream stream, Encoding? encoding,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        encoding ??= Strict;
        using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: encoding.CodePage is 1200 or 1201, 64 * 1024, leaveOpen: true);
        var buffer = new char[64 * 1024];
        var line = new StringBuilder();
        var tooLong = false;
        var afterCr = false;
        var first = true;
        while (true)
        {
            int read;
            try { read = await reader.ReadAsync(buffer, cancellationToken); }
            catch (DecoderFallbackException) { read = -1; }
            if (read < 0)
            {
                yield return new TextLine(null, false, false);
                yield break;
            }
            if (read == 0) break;
            var chunk = buffer.AsMemory(0, read);
            if (first && chunk.Span[0] == '\uFEFF')
            {
                if (encoding == Strict) yield return new TextLine("", false, true);
                chunk = chunk[1..];
            }
            first = false;
            while (chunk.Length > 0)
            {
                if (afterCr)
                {
                    afterCr = false;
                    if (chunk.Span[0] == '\n') { chunk = chunk[1..]; continue; }
                }
                var end = chunk.Span.IndexOfAny('\r', '\n');
                var text = end < 0 ? chunk : chunk[..end];
                var room = MaxLineChars - line.Length;
                if (text.Length > room) tooLong = true;
                line.Append(text.Span[..Math.Min(room, text.Length)]);
                if (end < 0) break;
                afterCr = chunk.Span[end] == '\r';
                chunk = chunk[(end + 1)..];
                yield return new TextLine(line.ToString(), tooLong, false);
                line.Clear();
                tooLong = false;
            }
        }
        if (line.Length > 0 || tooLong) yield return new TextLine(line.ToString(), tooLong, false);
    }

    /// <summary>Lines without their terminators; a final line end does not make an extra empty line.</summary>
    public static List<string> Split(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is not ('\n' or '\r')) continue;
            lines.Add(text[start..i]);
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < text.Length) lines.Add(text[start..]);
        return lines;
    }
}

/// <summary>One line from <see cref="TextLines.ReadLinesAsync"/>: its text (null: not valid in the encoding), cut when <paramref name="TooLong"/>, or the byte-order mark.</summary>
internal readonly record struct TextLine(string? Text, bool TooLong, bool ByteOrderMark);
