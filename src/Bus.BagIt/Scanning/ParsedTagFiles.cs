using Bus.BagIt.Parsing;
using Bus.BagIt.Profiles;

namespace Bus.BagIt.Scanning;

/// <summary>
/// The root tag files Bus parses whole in memory, and so the only ones <see cref="BagScanOptions.MaxTagFileBytes"/>
/// refuses when larger: bagit.txt, bag-info.txt, fetch.txt and every tag file a built-in profile reads tags from
/// (aptrust-info.txt). Manifests are read line by line; any other root tag file (a restored bag's
/// premis-events.json, notes.txt) is only hashed as it streams and checked against the tag manifests, whatever its
/// size. A profile rule that needs the bytes of such a file beyond the limit still gets tag.too-large then.
/// </summary>
public static class ParsedTagFiles
{
    private static readonly Lazy<HashSet<string>> Names = new(() =>
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { BagItDeclaration.FileName, Validation.BagInfoRules.FileName, FetchFileParser.FileName };
        foreach (var profile in BagProfiles.Names)
            names.UnionWith(BagProfiles.Find(profile)!.AllTagRules().Select(r => r.TagFile));
        return names;
    });

    public static bool Contains(string path) => Names.Value.Contains(path);
}
