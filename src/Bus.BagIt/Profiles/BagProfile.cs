using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bus.BagIt.Profiles;

/// <summary>A rule on one tag: must be present (and non-empty), and/or take one of fixed values.</summary>
public sealed record TagRule
{
    [JsonPropertyName("required")] public bool Required { get; init; }
    [JsonPropertyName("values")] public IReadOnlyList<string>? Values { get; init; }
}

/// <summary>
/// A BagIt profile, read from JSON in the BagIt-Profile-Specification layout (1.3) with four Bus
/// extensions: <c>Tar-Dir-Must-Match-Name</c>, <c>Tag-File-Character-Encoding</c>,
/// <c>Tag-File-Tags</c> (tag rules for tag files other than bag-info.txt, e.g. aptrust-info.txt) and
/// <c>Reject-Path-Collisions</c>.
/// Empty "allowed" lists mean anything is allowed.
/// </summary>
public sealed record BagProfile
{
    [JsonPropertyName("Bus-Profile-Name")] public string Name { get; init; } = "";
    [JsonPropertyName("BagIt-Profile-Info")] public ProfileInfo Info { get; init; } = new();
    [JsonPropertyName("Accept-BagIt-Version")] public IReadOnlyList<string> AcceptBagItVersion { get; init; } = [];
    [JsonPropertyName("Tag-File-Character-Encoding")] public IReadOnlyList<string> TagFileCharacterEncoding { get; init; } = [];
    /// <summary>"required", "optional" or "forbidden".</summary>
    [JsonPropertyName("Serialization")] public string Serialization { get; init; } = "optional";
    [JsonPropertyName("Accept-Serialization")] public IReadOnlyList<string> AcceptSerialization { get; init; } = [];
    [JsonPropertyName("Tar-Dir-Must-Match-Name")] public bool TarDirMustMatchName { get; init; }
    /// <summary>Paths equal after Unicode NFC or case folding, and a file beside a folder of the same name, are errors (else warnings).</summary>
    [JsonPropertyName("Reject-Path-Collisions")] public bool RejectPathCollisions { get; init; }
    [JsonPropertyName("Allow-Fetch.txt")] public bool AllowFetchTxt { get; init; } = true;
    [JsonPropertyName("Manifests-Required")] public IReadOnlyList<string> ManifestsRequired { get; init; } = [];
    [JsonPropertyName("Manifests-Allowed")] public IReadOnlyList<string> ManifestsAllowed { get; init; } = [];
    [JsonPropertyName("Tag-Manifests-Required")] public IReadOnlyList<string> TagManifestsRequired { get; init; } = [];
    [JsonPropertyName("Tag-Manifests-Allowed")] public IReadOnlyList<string> TagManifestsAllowed { get; init; } = [];
    [JsonPropertyName("Tag-Files-Required")] public IReadOnlyList<string> TagFilesRequired { get; init; } = [];
    [JsonPropertyName("Bag-Info")] public IReadOnlyDictionary<string, TagRule> BagInfo { get; init; } = new Dictionary<string, TagRule>();
    [JsonPropertyName("Tag-File-Tags")] public IReadOnlyDictionary<string, IReadOnlyDictionary<string, TagRule>> TagFileTags { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, TagRule>>();

    public string Identifier => Info.Identifier;

    /// <summary>Every tag file with rules, bag-info.txt included.</summary>
    public IEnumerable<(string TagFile, string Label, TagRule Rule)> AllTagRules() =>
        BagInfo.Select(r => ("bag-info.txt", r.Key, r.Value))
            .Concat(TagFileTags.SelectMany(f => f.Value.Select(r => (f.Key, r.Key, r.Value))));

    private static readonly JsonSerializerOptions Options = new() { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads a profile; a broken profile is a configuration error, reported with the JSON position.</summary>
    public static BagProfile Load(Stream json, string source)
    {
        BagProfile? profile;
        try { profile = JsonSerializer.Deserialize<BagProfile>(json, Options); }
        catch (JsonException e) { throw new InvalidDataException($"BagIt profile {source} is not valid: {e.Message}", e); }
        if (profile is null || profile.Name.Length == 0)
            throw new InvalidDataException($"BagIt profile {source} has no Bus-Profile-Name");
        if (profile.Serialization is not ("required" or "optional" or "forbidden"))
            throw new InvalidDataException($"BagIt profile {source}: Serialization must be required, optional or forbidden, not '{profile.Serialization}'");
        return profile;
    }
}

public sealed record ProfileInfo
{
    [JsonPropertyName("BagIt-Profile-Identifier")] public string Identifier { get; init; } = "";
    [JsonPropertyName("Source-Organization")] public string SourceOrganization { get; init; } = "";
    [JsonPropertyName("External-Description")] public string Description { get; init; } = "";
    [JsonPropertyName("Version")] public string Version { get; init; } = "";
}
