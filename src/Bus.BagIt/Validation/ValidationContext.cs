using Bus.BagIt.Parsing;
using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;

namespace Bus.BagIt.Validation;

/// <summary>What the rule groups share while validating one bag.</summary>
internal sealed class ValidationContext(BagInventory inventory, BagProfile profile)
{
    public BagInventory Inventory { get; } = inventory;
    public BagProfile Profile { get; } = profile;
    public List<BagIssue> Errors { get; } = [];
    public List<BagIssue> Warnings { get; } = [];
    public Dictionary<string, BagFile> FilesByPath { get; } = inventory.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
    public BagItDeclaration? Declaration { get; set; }
    public string? Version => Declaration?.Version;
    public TagFile? BagInfo { get; set; }
    public List<string> ManifestAlgorithms { get; } = [];
    public List<string> TagManifestAlgorithms { get; } = [];

    public void Error(string code, string message, string? path = null) => Errors.Add(new BagIssue(code, message, path));
    public void Warn(string code, string message, string? path = null) => Warnings.Add(new BagIssue(code, message, path));

    /// <summary>A root tag file's bytes; when it was too large to keep, says so once and returns null.</summary>
    public byte[]? TagBytes(string name)
    {
        if (Inventory.TagFiles.TryGetValue(name, out var bytes)) return bytes;
        if (Inventory.TagFilesNotKept.Contains(name) && !Errors.Any(e => e.Code == BagIssueCodes.TagTooLarge && e.Path == name))
            Error(BagIssueCodes.TagTooLarge, $"{name} is {FilesByPath.GetValueOrDefault(name)?.Size} bytes, beyond the limit for a tag file that must be parsed", name);
        return null;
    }

    public bool TagFileExists(string name) => FilesByPath.ContainsKey(name);
}
