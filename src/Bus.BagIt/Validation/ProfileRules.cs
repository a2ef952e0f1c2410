using Bus.BagIt.Parsing;
using Bus.BagIt.Scanning;

namespace Bus.BagIt.Validation;

/// <summary>The rules a <see cref="Profiles.BagProfile"/> adds to RFC 8493.</summary>
internal static class ProfileRules
{
    public static void Check(ValidationContext context)
    {
        var profile = context.Profile;
        var name = profile.Name;
        if (profile.AcceptBagItVersion.Count > 0 && context.Version is { } version && !profile.AcceptBagItVersion.Contains(version))
            context.Error(BagIssueCodes.ProfileBagItVersion, $"profile {name} accepts BagIt {string.Join(", ", profile.AcceptBagItVersion)}, not {BagIssueList.Quote(version)}", BagItDeclaration.FileName);
        if (profile.TagFileCharacterEncoding.Count > 0 && context.Declaration?.Encoding is { } encoding
            && !profile.TagFileCharacterEncoding.Contains(encoding, StringComparer.OrdinalIgnoreCase))
            context.Error(BagIssueCodes.ProfileEncoding, $"profile {name} requires Tag-File-Character-Encoding {string.Join(", ", profile.TagFileCharacterEncoding)}, not {BagIssueList.Quote(encoding)}", BagItDeclaration.FileName);

        CheckSerialization(context);
        CheckAlgorithms(context, context.ManifestAlgorithms, profile.ManifestsRequired, profile.ManifestsAllowed, "manifest", BagIssueCodes.ProfileManifestRequired, BagIssueCodes.ProfileManifestNotAllowed);
        CheckAlgorithms(context, context.TagManifestAlgorithms, profile.TagManifestsRequired, profile.TagManifestsAllowed, "tagmanifest", BagIssueCodes.ProfileTagManifestRequired, BagIssueCodes.ProfileTagManifestNotAllowed);

        if (!profile.AllowFetchTxt && context.TagFileExists(FetchFileParser.FileName))
            context.Error(BagIssueCodes.ProfileFetchNotAllowed, $"profile {name} does not allow fetch.txt", FetchFileParser.FileName);
        foreach (var required in profile.TagFilesRequired.Where(f => !context.TagFileExists(f)))
            context.Error(BagIssueCodes.ProfileTagFileMissing, $"profile {name} requires the tag file {required}", required);
        CheckTags(context);
    }

    private static void CheckSerialization(ValidationContext context)
    {
        var profile = context.Profile;
        var source = context.Inventory.Source;
        if (profile.Serialization == "required" && source == BagSource.Folder)
            context.Warn(BagIssueCodes.ProfileSerialization, $"profile {profile.Name} requires a tar serialization; this is an unserialized folder (ingest accepts only the tar)");
        else if (profile.Serialization == "forbidden" && source == BagSource.Tar)
            context.Error(BagIssueCodes.ProfileSerialization, $"profile {profile.Name} forbids serialized bags");
    }

    private static void CheckAlgorithms(ValidationContext context, List<string> present, IReadOnlyList<string> required, IReadOnlyList<string> allowed,
        string kind, string requiredCode, string notAllowedCode)
    {
        foreach (var algorithm in required.Where(r => !present.Contains(r, StringComparer.OrdinalIgnoreCase)))
            context.Error(requiredCode, $"profile {context.Profile.Name} requires {kind}-{algorithm}.txt", $"{kind}-{algorithm}.txt");
        if (allowed.Count == 0) return;
        foreach (var algorithm in present.Where(p => !allowed.Contains(p, StringComparer.OrdinalIgnoreCase)))
            context.Error(notAllowedCode, $"profile {context.Profile.Name} does not allow {kind}-{algorithm}.txt (allowed: {string.Join(", ", allowed)})", $"{kind}-{algorithm}.txt");
    }

    private static void CheckTags(ValidationContext context)
    {
        var encoding = TextLines.ResolveEncoding(context.Declaration?.Encoding) ?? TextLines.Utf8;
        foreach (var byFile in context.Profile.AllTagRules().GroupBy(r => r.TagFile))
        {
            TagFile? parsed = null;
            if (byFile.Key == BagInfoRules.FileName) parsed = context.BagInfo;
            else if (context.TagFileExists(byFile.Key) && context.TagBytes(byFile.Key) is { } bytes)
            {
                parsed = TagFileParser.Parse(bytes, byFile.Key, strictColon: context.Version == "1.0", encoding);
                context.Errors.AddRange(parsed.Errors);
                context.Warnings.AddRange(parsed.Warnings);
            }
            foreach (var (tagFile, label, rule) in byFile)
            {
                var values = parsed?.All(label).Select(t => t.Value).ToList() ?? [];
                if (rule.Required && values.All(string.IsNullOrWhiteSpace))
                {
                    // A missing required tag file is reported once (profile.tag-file-missing) unless it is bag-info.txt.
                    if (parsed is null && context.Profile.TagFilesRequired.Contains(tagFile)) continue;
                    context.Error(BagIssueCodes.ProfileTagMissing, $"profile {context.Profile.Name} requires a non-empty '{label}' in {tagFile}", $"{tagFile}:{label}");
                    continue;
                }
                if (rule.Values is { Count: > 0 } allowed)
                    foreach (var value in values.Where(v => !allowed.Contains(v, StringComparer.Ordinal)))
                        context.Error(BagIssueCodes.ProfileTagValueNotAllowed, $"{tagFile}: '{label}' is '{BagIssueList.Quote(value)}', profile {context.Profile.Name} allows {string.Join(", ", allowed)}", $"{tagFile}:{label}");
            }
        }
    }
}
