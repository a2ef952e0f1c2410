namespace Bus.BagIt.Scanning;

public enum BagEntryKind
{
    RegularFile,
    Directory,
    SymbolicLink,
    HardLink,
    /// <summary>Character or block device, FIFO: never acceptable in a bag.</summary>
    Device,
    /// <summary>Any other tar entry type (sparse files, GNU extensions...).</summary>
    Other,
}

/// <summary>
/// One entry of a bag as the scanner meets it. <see cref="Path"/> is relative to the bag's root
/// folder with '/' separators (e.g. <c>data/images/a.tif</c>, <c>bagit.txt</c>).
/// </summary>
public sealed record BagEntry(string Path, long Size, BagEntryKind Kind)
{
    public bool IsPayload => Path.StartsWith("data/", StringComparison.Ordinal);
    public bool IsTagFile => Kind == BagEntryKind.RegularFile && !IsPayload;
}
