namespace Bus.BagIt.Parsing;

/// <summary>One <c>checksum path</c> line; <see cref="Path"/> is decoded and relative to the bag root.</summary>
public sealed record ManifestLine(string Checksum, string Path, int Line);

public sealed record Manifest(string FileName, string Algorithm, bool IsTagManifest, IReadOnlyList<ManifestLine> Lines, IReadOnlyList<BagIssue> Errors, IReadOnlyList<BagIssue> Warnings);

/// <summary>
/// Payload and tag manifests (RFC 8493 §2.1.3, §2.2.1): <c>checksum&lt;whitespace&gt;path</c> per line.
/// Only %0D, %0A and %25 are decoded: a file literally named <c>%7Etest1.txt</c> is valid, so nothing
/// else may be URL-decoded. CRLF, <c>./data/x</c> and md5sum's <c>*data/x</c> are tolerated (the
/// last two with a warning).
/// </summary>
public static class ManifestParser
{
    /// <summary>True for <c>manifest-ALG.txt</c> / <c>tagmanifest-ALG.txt</c>, giving ALG.</summary>
    public static bool IsManifestName(string fileName, out string algorithm, out bool isTagManifest)
    {
        algorithm = "";
        isTagManifest = fileName.StartsWith("tagmanifest-", StringComparison.Ordinal);
        var prefix = isTagManifest ? "tagmanifest-" : "manifest-";
        if (!fileName.StartsWith(prefix, StringComparison.Ordinal) || !fileName.EndsWith(".txt", StringComparison.Ordinal)) return false;
        algorithm = fileName[prefix.Length..^4];
        return algorithm.Length > 0 && !algorithm.Contains('/');
    }

    public static Manifest Parse(byte[] bytes, string fileName, System.Text.Encoding? encoding = null)
    {
        IsManifestName(fileName, out var algorithm, out var isTag);
        var errors = new BagIssueList();
        var warnings = new BagIssueList();
        var lines = Enumerate(bytes, fileName, encoding, errors, warnings).ToList();
        return new(fileName, algorithm, isTag, lines, errors, warnings);
    }

    /// <summary>The lines one at a time (problems go to the lists as they are met): a 100,000-line manifest is never all in memory.</summary>
    public static IEnumerable<ManifestLine> Enumerate(byte[] bytes, string fileName, System.Text.Encoding? encoding, BagIssueList errors, BagIssueList warnings)
    {
        if (TextLines.HasByteOrderMark(bytes))
            warnings.Add(new(BagIssueCodes.ManifestByteOrderMark, $"{fileName} starts with a byte-order mark", fileName));
        var number = 0;
        foreach (var line in TextLines.EnumerateLines(bytes, encoding))
        {
            number++;
            if (line is null)
            {
                errors.Add(InvalidText(fileName, encoding, number));
                yield break;
            }
            if (ParseLine(line, number, fileName, errors, warnings) is { } parsed) yield return parsed;
        }
    }

    /// <summary>
    /// The lines of a manifest read from a stream (a staged copy): only one line in memory at a time,
    /// a line longer than <see cref="TextLines.MaxLineChars"/> reported and skipped, never held.
    /// </summary>
    public static async IAsyncEnumerable<ManifestLine> EnumerateAsync(Stream stream, string fileName, System.Text.Encoding? encoding,
        BagIssueList errors, BagIssueList warnings, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var number = 0;
        await foreach (var line in TextLines.ReadLinesAsync(stream, encoding, cancellationToken))
        {
            if (line.ByteOrderMark)
            {
                warnings.Add(new(BagIssueCodes.ManifestByteOrderMark, $"{fileName} starts with a byte-order mark", fileName));
                continue;
            }
            number++;
            if (line.Text is null)
            {
                errors.Add(InvalidText(fileName, encoding, number));
                yield break;
            }
            if (line.TooLong)
            {
                errors.Add(new(BagIssueCodes.ManifestMalformedLine,
                    $"{fileName} line {number} is longer than {TextLines.MaxLineChars} characters: '{BagIssueList.Quote(line.Text)}'", fileName));
                continue;
            }
            if (ParseLine(line.Text, number, fileName, errors, warnings) is { } parsed) yield return parsed;
        }
    }

    private static BagIssue InvalidText(string fileName, System.Text.Encoding? encoding, int number) =>
        new(BagIssueCodes.ManifestInvalidUtf8, $"{fileName} is not valid {(encoding ?? TextLines.Utf8).WebName} (line {number})", fileName);

    private static ManifestLine? ParseLine(string line, int number, string fileName, BagIssueList errors, BagIssueList warnings)
    {
        if (line.Trim().Length == 0) return null;
        var split = line.IndexOfAny([' ', '\t']);
        var pathStart = split;
        while (pathStart >= 0 && pathStart < line.Length && line[pathStart] is ' ' or '\t') pathStart++;
        if (split <= 0 || pathStart >= line.Length)
        {
            errors.Add(new(BagIssueCodes.ManifestMalformedLine, $"{fileName} line {number} is not 'checksum path': '{BagIssueList.Quote(line)}'", fileName));
            return null;
        }
        var path = line[pathStart..];
        if (path.StartsWith('*'))
        {
            path = path[1..];
            warnings.Add(new(BagIssueCodes.ManifestLegacyPathSyntax, $"{fileName} line {number} uses md5sum's '*' binary marker before '{BagIssueList.Quote(path)}'", path));
        }
        if (path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
            warnings.Add(new(BagIssueCodes.ManifestLegacyPathSyntax, $"{fileName} line {number} writes the path as './{BagIssueList.Quote(path)}'", path));
        }
        return new ManifestLine(line[..split], DecodePath(path), number);
    }

    /// <summary>Decodes %0D, %0A and %25 (either case) and nothing else.</summary>
    public static string DecodePath(string path)
    {
        if (!path.Contains('%')) return path;
        var result = new System.Text.StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && i + 2 < path.Length)
            {
                var code = path.Substring(i + 1, 2).ToUpperInvariant();
                var decoded = code switch { "0D" => '\r', "0A" => '\n', "25" => '%', _ => (char?)null };
                if (decoded is { } c)
                {
                    result.Append(c);
                    i += 2;
                    continue;
                }
            }
            result.Append(path[i]);
        }
        return result.ToString();
    }
}
