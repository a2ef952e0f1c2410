using System.Text;
using Bus.BagIt.Parsing;
using Bus.BagIt.Scanning;

namespace Bus.BagIt.Validation;

/// <summary>
/// Complete and valid (RFC 8493 §3): every manifest entry has its file, every payload file is
/// listed (in every payload manifest for 1.0, in at least one before), no path twice, no path
/// outside data/, every checksum matches; tag manifests are verified the same way.
/// </summary>
internal static class ManifestRules
{
    public static async Task CheckAsync(ValidationContext context, CancellationToken cancellationToken)
    {
        var encoding = TextLines.ResolveEncoding(context.Declaration?.Encoding) ?? TextLines.Utf8;
        var manifests = context.Inventory.Files
            .Select(f => f.Path)
            .Where(p => !p.Contains('/') && ManifestParser.IsManifestName(p, out _, out _))
            .Order(StringComparer.Ordinal)
            .ToList();
        var payload = manifests.Where(m => m.StartsWith("manifest-", StringComparison.Ordinal)).ToList();
        if (payload.Count == 0)
            context.Error(BagIssueCodes.ManifestNone, "the bag has no payload manifest (manifest-ALGORITHM.txt)");

        var listedSomewhere = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in payload)
        {
            var listed = await CheckOneAsync(context, name, encoding, isTag: false, cancellationToken);
            if (listed is null) continue;
            listedSomewhere.UnionWith(listed);
            if (context.Version == "1.0") ReportUnlisted(context, listed, $"{name} (RFC 8493: every payload manifest lists every payload file)");
        }
        if (context.Version != "1.0" && payload.Count > 0) ReportUnlisted(context, listedSomewhere, "any payload manifest");

        foreach (var name in manifests.Where(m => m.StartsWith("tagmanifest-", StringComparison.Ordinal)))
            await CheckOneAsync(context, name, encoding, isTag: true, cancellationToken);
    }

    private static void ReportUnlisted(ValidationContext context, HashSet<string> listed, string where)
    {
        foreach (var file in context.Inventory.Files.Where(f => f.IsPayload && !listed.Contains(f.Path)))
            context.Error(BagIssueCodes.PayloadUnlistedFile, $"payload file '{file.Path}' is not listed in {where}", file.Path);
    }

    /// <summary>Checks one manifest; returns the paths it lists (null when it could not be read).</summary>
    private static async Task<HashSet<string>?> CheckOneAsync(ValidationContext context, string name, Encoding encoding, bool isTag, CancellationToken cancellationToken)
    {
        await using var stream = await context.OpenTagFileAsync(name, cancellationToken);
        if (stream is null) return null;
        ManifestParser.IsManifestName(name, out var algorithmName, out _);
        (isTag ? context.TagManifestAlgorithms : context.ManifestAlgorithms).Add(algorithmName);
        var verifiable = DigestAlgorithms.TryParse(algorithmName, out var algorithm);
        if (!verifiable)
            context.Warn(BagIssueCodes.ManifestAlgorithmUnchecked, $"{name}: Bus computes md5, sha1, sha256 and sha512 only, so its {algorithmName} checksums were not verified (completeness was)", name);

        var listed = new HashSet<string>(StringComparer.Ordinal);
        // Checksum hashes, not strings: enough to tell a same-checksum repeat, without holding 100,000 checksums.
        var checksums = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var line in ManifestParser.EnumerateAsync(stream, name, encoding, context.Errors, context.Warnings, cancellationToken))
        {
            if (PathRules.Unsafe(line.Path, name) is { } unsafePath)
            {
                context.Errors.Add(unsafePath);
                continue;
            }
            var isPayloadPath = line.Path.StartsWith("data/", StringComparison.Ordinal);
            if (!isTag && !isPayloadPath)
            {
                context.Error(BagIssueCodes.ManifestPathOutsideData, $"{name} line {line.Line} lists '{BagIssueList.Quote(line.Path)}', which is not under data/", line.Path);
                continue;
            }
            if (isTag && isPayloadPath)
                context.Warn(BagIssueCodes.TagManifestListsPayload, $"{name} lists payload file '{BagIssueList.Quote(line.Path)}'; tag manifests list tag files", line.Path);
            if (!context.FilesByPath.TryGetValue(line.Path, out var file))
            {
                // Not added to the listed paths: those stay bounded by the bag's files, however long the manifest.
                context.Error(isTag ? BagIssueCodes.TagManifestMissingFile : BagIssueCodes.ManifestMissingFile, $"{name} lists '{BagIssueList.Quote(line.Path)}', which is not in the bag", line.Path);
                continue;
            }
            // Keep the inventory's path string, not the manifest line's copy.
            var key = file.Path;
            if (!listed.Add(key))
            {
                var same = checksums[key] == line.Checksum.GetHashCode(StringComparison.OrdinalIgnoreCase);
                var issue = new BagIssue(BagIssueCodes.ManifestDuplicatePath, $"{name} lists '{BagIssueList.Quote(line.Path)}' more than once{(same ? " (same checksum)" : " with different checksums")}", line.Path);
                // RFC 8493 made a repeated path invalid; earlier versions only when the checksums disagree.
                if (context.Version == "1.0" || !same) context.Errors.Add(issue); else context.Warnings.Add(issue);
                continue;
            }
            checksums[key] = line.Checksum.GetHashCode(StringComparison.OrdinalIgnoreCase);
            if (!verifiable) continue;
            if (line.Checksum.Length != file.Digests.Get(algorithm).Length * 2 || !line.Checksum.All(char.IsAsciiHexDigit))
                context.Error(BagIssueCodes.ManifestMalformedChecksum, $"{name} line {line.Line}: '{BagIssueList.Quote(line.Checksum)}' is not a {algorithmName} checksum", line.Path);
            else if (!file.Digests.Matches(algorithm, line.Checksum))
                context.Error(BagIssueCodes.ChecksumMismatch, $"'{BagIssueList.Quote(line.Path)}': {algorithmName} is {file.Digests.Hex(algorithm)}, {name} says {line.Checksum.ToLowerInvariant()}", line.Path);
        }
        WarnOnLookAlikes(context, name, listed);
        return listed;
    }

    private static void WarnOnLookAlikes(ValidationContext context, string name, HashSet<string> listed)
    {
        if (!LookAlikes.NormalizationWorks) return;
        foreach (var group in listed.Where(p => !Ascii.IsValid(p)).Concat(listed.Where(p => Ascii.IsValid(p)))
                     .GroupBy(p => p.Normalize(NormalizationForm.FormC), StringComparer.Ordinal).Where(g => g.Count() > 1))
            context.Warn(BagIssueCodes.PathNormalizationCollision, $"{name} lists paths that differ only by Unicode normalisation: {string.Join(", ", group.Select(p => $"'{p}'"))}", group.First());
    }
}
