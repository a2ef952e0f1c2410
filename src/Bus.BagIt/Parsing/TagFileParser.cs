namespace Bus.BagIt.Parsing;

/// <summary>One <c>Label: value</c> of a tag file such as bag-info.txt, continuation lines joined.</summary>
public sealed record Tag(string Label, string Value, int Line);

public sealed record TagFile(IReadOnlyList<Tag> Tags, IReadOnlyList<BagIssue> Errors, IReadOnlyList<BagIssue> Warnings)
{
    public IEnumerable<Tag> All(string label) => Tags.Where(t => string.Equals(t.Label, label, StringComparison.OrdinalIgnoreCase));
    public string? First(string label) => All(label).FirstOrDefault()?.Value;
}

/// <summary>
/// Parses bag-info.txt and other <c>Label: value</c> tag files (RFC 8493 §2.2.2): a line starting
/// with whitespace continues the previous value. Labels compare case-insensitively, as bagit-python does.
/// </summary>
public static class TagFileParser
{
    public static TagFile Parse(byte[] bytes, string fileName, bool strictColon, System.Text.Encoding? encoding = null)
    {
        var tags = new List<Tag>();
        var errors = new BagIssueList();
        var warnings = new BagIssueList();
        var text = TextLines.Decode(bytes, encoding);
        if (text is null)
        {
            errors.Add(new(BagIssueCodes.TagInvalidUtf8, $"{fileName} is not valid {(encoding ?? TextLines.Utf8).WebName}", fileName));
            return new(tags, errors, warnings);
        }
        var lines = TextLines.Split(text);
        string? label = null;
        var value = new System.Text.StringBuilder();
        var start = 0;
        void Flush()
        {
            if (label is not null) tags.Add(new Tag(label, value.ToString().Trim(), start));
            label = null;
            value.Clear();
        }
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                if (label is null)
                    errors.Add(new(BagIssueCodes.TagMalformedLine, $"{fileName} line {i + 1} continues no tag: '{BagIssueList.Quote(line)}'", fileName));
                else
                    value.Append(' ').Append(line.Trim());
                continue;
            }
            Flush();
            if (line.Trim().Length == 0)
            {
                warnings.Add(new(BagIssueCodes.TagMalformedLine, $"{fileName} line {i + 1} is empty", fileName));
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                errors.Add(new(BagIssueCodes.TagMalformedLine, $"{fileName} line {i + 1} is not 'Label: value': '{BagIssueList.Quote(line)}'", fileName));
                continue;
            }
            var rawLabel = line[..colon];
            label = rawLabel.Trim();
            if (label.Length != rawLabel.TrimStart().Length)
            {
                var issue = new BagIssue(BagIssueCodes.TagWhitespaceBeforeColon, $"{fileName} line {i + 1} has whitespace between '{BagIssueList.Quote(label)}' and its colon", fileName);
                if (strictColon) errors.Add(issue); else warnings.Add(issue);
            }
            value.Append(line[(colon + 1)..]);
            start = i + 1;
        }
        Flush();
        return new(tags, errors, warnings);
    }
}
