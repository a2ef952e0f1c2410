namespace Bus.BagIt.Parsing;

/// <summary>One fetch.txt line: <c>url length path</c> (length may be <c>-</c>).</summary>
public sealed record FetchLine(string Url, long? Length, string Path, int Line);

/// <summary>fetch.txt (RFC 8493 §2.2.3). Bus never fetches; it parses to check the paths are safe.</summary>
public static class FetchFileParser
{
    public const string FileName = "fetch.txt";

    public static (IReadOnlyList<FetchLine> Lines, IReadOnlyList<BagIssue> Errors) Parse(byte[] bytes, System.Text.Encoding? encoding = null)
    {
        var lines = new List<FetchLine>();
        var errors = new BagIssueList();
        var text = TextLines.Decode(bytes, encoding);
        if (text is null) return (lines, [new BagIssue(BagIssueCodes.TagInvalidUtf8, "fetch.txt cannot be decoded", FileName)]);
        var all = TextLines.Split(text);
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i].Trim().Length == 0) continue;
            var parts = all[i].Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3 || (parts[1] != "-" && !long.TryParse(parts[1], out _)))
            {
                errors.Add(new(BagIssueCodes.TagMalformedLine, $"fetch.txt line {i + 1} is not 'url length path': '{BagIssueList.Quote(all[i])}'", FileName));
                continue;
            }
            lines.Add(new FetchLine(parts[0], parts[1] == "-" ? null : long.Parse(parts[1]), ManifestParser.DecodePath(parts[2].TrimStart()), i + 1));
        }
        return (lines, errors);
    }
}
