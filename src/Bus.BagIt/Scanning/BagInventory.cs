using System.Text;

namespace Bus.BagIt.Scanning;

public enum BagSource
{
    Tar,
    Folder,
}

/// <summary>
/// Everything a scan learned about a bag: its name (the single top-level folder), every regular
/// file with size and four digests, the other entries (directories, links, devices), the raw bytes
/// of the root-level tag files, and structural problems met on the way. The validator works on
/// this alone, so the CLI and the ingest steps validate identically.
/// </summary>
public sealed class BagInventory
{
    internal BagInventory(BagSource source, string? bagName, string? expectedBagName, IReadOnlyList<BagFile> files,
        IReadOnlyList<BagEntry> otherEntries, IReadOnlyDictionary<string, byte[]> tagFiles,
        IReadOnlySet<string> tagFilesNotKept, IReadOnlyList<BagIssue> findings)
    {
        Source = source;
        BagName = bagName;
        ExpectedBagName = expectedBagName;
        Files = files;
        OtherEntries = otherEntries;
        TagFiles = tagFiles;
        TagFilesNotKept = tagFilesNotKept;
        Findings = findings;
        PayloadBytes = files.Where(f => f.IsPayload).Sum(f => f.Size);
        PayloadFileCount = files.Count(f => f.IsPayload);
    }

    public BagSource Source { get; }
    /// <summary>The single top-level folder of the tar, or the folder's name. Null when the tar has none.</summary>
    public string? BagName { get; }
    public string? ExpectedBagName { get; }
    /// <summary>Regular files in scan order (tar order, or ordinal path order for a folder).</summary>
    public IReadOnlyList<BagFile> Files { get; }
    public IReadOnlyList<BagEntry> OtherEntries { get; }
    /// <summary>Raw bytes of root-level tag files (bagit.txt, bag-info.txt, manifests, aptrust-info.txt...), by name.</summary>
    public IReadOnlyDictionary<string, byte[]> TagFiles { get; }
    /// <summary>Root-level tag files too large to keep (see <see cref="BagScanOptions.MaxTagFileBytes"/>).</summary>
    public IReadOnlySet<string> TagFilesNotKept { get; }
    /// <summary>Problems found while scanning: links, devices, unsafe paths, duplicate entries, stray top-level entries.</summary>
    public IReadOnlyList<BagIssue> Findings { get; }
    public long PayloadBytes { get; }
    public int PayloadFileCount { get; }
    /// <summary>The Payload-Oxum the bag actually has: <c>octets.count</c>.</summary>
    public string PayloadOxum => $"{PayloadBytes}.{PayloadFileCount}";

    public bool HasDirectory(string path) =>
        OtherEntries.Any(e => e.Kind == BagEntryKind.Directory && e.Path == path) || Files.Any(f => f.Path.StartsWith(path + "/", StringComparison.Ordinal));

    /// <summary>The tags of a root-level tag file such as bag-info.txt or aptrust-info.txt; null when absent.</summary>
    public IReadOnlyList<Parsing.Tag>? ReadTags(string tagFile) =>
        TagFiles.TryGetValue(tagFile, out var bytes) ? Parsing.TagFileParser.Parse(bytes, tagFile, strictColon: false).Tags : null;

    public string? TagText(string tagFile) => TagFiles.TryGetValue(tagFile, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
