using Bus.BagIt.Parsing;
using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;

namespace Bus.BagIt.Validation;

/// <summary>What the rule groups share while validating one bag.</summary>
internal sealed class ValidationContext(BagInventory inventory, BagProfile profile)
{
    public BagInventory Inventory { get; } = inventory;
    public BagProfile Profile { get; } = profile;
    /// <summary>Bounded: the first errors found are kept, the rest counted (<see cref="BagIssueList"/>).</summary>
    public BagIssueList Errors { get; } = new();
    public BagIssueList Warnings { get; } = new();
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
        NotKept(name);
        return null;
    }

    /// <summary>A root tag file (a manifest) to read line by line, from memory or the inventory's tag source; null as <see cref="TagBytes"/>.</summary>
    public async Task<Stream?> OpenTagFileAsync(string name, CancellationToken cancellationToken)
    {
        if (await Inventory.OpenTagFileAsync(name, cancellationToken) is { } stream) return stream;
        NotKept(name);
        return null;
    }

    private void NotKept(string name)
    {
        // The scan already reported a tag file beyond the per-file limit.
        if (Inventory.TagFilesNotKept.Contains(name) && !Errors.Any(e => e.Code == BagIssueCodes.TagTooLarge && e.Path == name))
            Error(BagIssueCodes.TagTooLarge, $"{name} is {FilesByPath.GetValueOrDefault(name)?.Size} bytes, beyond the limit for tag files kept to be parsed", name);
    }

    public bool TagFileExists(string name) => FilesByPath.ContainsKey(name);
}
