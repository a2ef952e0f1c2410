namespace Bus.BagIt.Parsing;

/// <summary>
/// bagit.txt (RFC 8493 §2.1.1): exactly two lines, <c>BagIt-Version: M.N</c> then
/// <c>Tag-File-Character-Encoding: ENC</c>, no byte-order mark; v1.0 forbids whitespace before the colon.
/// </summary>
public sealed record BagItDeclaration(string? Version, string? Encoding, IReadOnlyList<BagIssue> Errors, IReadOnlyList<BagIssue> Warnings)
{
    public const string FileName = "bagit.txt";

    /// <summary>Versions whose rules this validator knows (the LoC conformance suite covers 0.93 to 1.0).</summary>
    public static readonly IReadOnlyList<string> KnownVersions = ["0.93", "0.94", "0.95", "0.96", "0.97", "1.0"];

    public static BagItDeclaration Parse(byte[] bytes)
    {
        var errors = new BagIssueList();
        var warnings = new BagIssueList();
        if (TextLines.HasByteOrderMark(bytes))
            errors.Add(new(BagIssueCodes.BagItByteOrderMark, "bagit.txt starts with a byte-order mark, which RFC 8493 forbids", FileName));
        var text = TextLines.Decode(bytes);
        if (text is null)
        {
            errors.Add(new(BagIssueCodes.BagItEncoding, "bagit.txt is not valid UTF-8", FileName));
            return new(null, null, errors, warnings);
        }
        var lines = TextLines.Split(text);
        if (lines.Count != 2)
            errors.Add(new(BagIssueCodes.BagItLineCount, $"bagit.txt must have exactly two lines, it has {lines.Count}", FileName));

        string? version = null, encoding = null;
        var spacedLabels = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                errors.Add(new(BagIssueCodes.BagItMalformedLine, $"bagit.txt line {i + 1} is not 'Label: value': '{BagIssueList.Quote(line)}'", FileName));
                continue;
            }
            var rawLabel = line[..colon];
            var label = rawLabel.TrimEnd();
            if (label.Length != rawLabel.Length) spacedLabels.Add(label);
            var value = line[(colon + 1)..].Trim();
            if (i == 0 && label == "BagIt-Version") version = value;
            else if (i == 1 && label == "Tag-File-Character-Encoding") encoding = value;
            else errors.Add(new(BagIssueCodes.BagItMalformedLine, $"bagit.txt line {i + 1} must be '{(i == 0 ? "BagIt-Version" : "Tag-File-Character-Encoding")}: ...', found '{BagIssueList.Quote(line)}'", FileName));
        }
        if (version is null && !errors.Any(e => e.Code == BagIssueCodes.BagItMalformedLine))
            errors.Add(new(BagIssueCodes.BagItMalformedLine, "bagit.txt has no BagIt-Version line", FileName));
        if (version is not null && !KnownVersions.Contains(version))
            errors.Add(new(BagIssueCodes.BagItVersionUnsupported, $"BagIt-Version '{BagIssueList.Quote(version)}' is not one of {string.Join(", ", KnownVersions)}", FileName));
        foreach (var label in spacedLabels)
        {
            // RFC 8493 (1.0) forbids it; earlier drafts were silent, so older bags only get a warning.
            var issue = new BagIssue(BagIssueCodes.BagItWhitespaceBeforeColon, $"bagit.txt has whitespace between '{BagIssueList.Quote(label)}' and its colon", FileName);
            if (version == "1.0") errors.Add(issue); else warnings.Add(issue);
        }
        return new(version, encoding, errors, warnings);
    }
}
