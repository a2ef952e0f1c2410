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
        IReadOnlySet<string> tagFilesNotKept, IReadOnlyList<BagIssue> findings, ITagFileSource? tagSource = null)
    {
        Source = source;
        BagName = bagName;
        ExpectedBagName = expectedBagName;
        Files = files;
        OtherEntries = otherEntries;
        _tagFiles = new Dictionary<string, byte[]>(tagFiles, StringComparer.Ordinal);
        TagSource = tagSource;
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
    private readonly Dictionary<string, byte[]> _tagFiles;

    /// <summary>
    /// Raw bytes of root-level tag files (bagit.txt, bag-info.txt, manifests, aptrust-info.txt...) held
    /// in memory, by name. With a <see cref="TagSource"/>, manifests stay out (they are streamed) and the
    /// other tag files join once <see cref="LoadTagFilesAsync"/> has read them back.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> TagFiles => _tagFiles;

    /// <summary>Where tag files not in <see cref="TagFiles"/> are read from; null when the scan kept them all.</summary>
    public ITagFileSource? TagSource { get; }
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

    /// <summary>
    /// Reads back from the <see cref="TagSource"/> the root-level tag files other than manifests that
    /// the scan neither kept nor refused (each at most <see cref="BagScanOptions.MaxTagFileBytes"/>), so
    /// profile selection and the rules can parse them. Manifests stay out: <see cref="OpenTagFileAsync"/>.
    /// </summary>
    public async Task LoadTagFilesAsync(CancellationToken cancellationToken)
    {
        if (TagSource is null) return;
        foreach (var file in Files.Where(IsReadBack))
        {
            if (Parsing.ManifestParser.IsManifestName(file.Path, out _, out _)) continue;
            await using var stream = await TagSource.OpenAsync(file, cancellationToken);
            var bytes = new byte[file.Size];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
            _tagFiles[file.Path] = bytes;
        }
    }

    /// <summary>A root-level tag file's bytes from memory or the <see cref="TagSource"/>; null when it was not kept (too large).</summary>
    public async Task<Stream?> OpenTagFileAsync(string tagFile, CancellationToken cancellationToken)
    {
        if (_tagFiles.TryGetValue(tagFile, out var bytes)) return new MemoryStream(bytes, writable: false);
        var file = Files.FirstOrDefault(f => f.Path == tagFile);
        return file is not null && IsReadBack(file) ? await TagSource!.OpenAsync(file, cancellationToken) : null;
    }

    private bool IsReadBack(BagFile file) =>
        TagSource is not null && !file.Path.Contains('/') && !file.IsPayload && !_tagFiles.ContainsKey(file.Path) && !TagFilesNotKept.Contains(file.Path);

    public string? TagText(string tagFile) => TagFiles.TryGetValue(tagFile, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
