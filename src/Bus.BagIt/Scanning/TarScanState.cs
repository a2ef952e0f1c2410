namespace Bus.BagIt.Scanning;

/// <summary>
/// What a tar scan has learned about the bag itself, up to an entry boundary: everything the final
/// <see cref="BagInventory"/> needs besides the regular files (which the caller keeps, e.g. as
/// interim rows). Plain settable properties so it round-trips through JSON: a time-sliced Unpack
/// saves it with its checkpoint and the next slice, on any process, resumes from it.
/// </summary>
public sealed class TarScanState
{
    public string? BagName { get; set; }
    /// <summary>Second top-level folders already reported (each is reported once).</summary>
    public List<string> StrayTopLevels { get; set; } = [];
    public List<BagEntry> OtherEntries { get; set; } = [];
    public List<BagIssue> Findings { get; set; } = [];
    /// <summary>Root-level tag files kept so far (bytes), by name.</summary>
    public Dictionary<string, byte[]> TagFiles { get; set; } = new(StringComparer.Ordinal);
    public List<string> TagFilesNotKept { get; set; } = [];
    public long KeptTagBytes { get; set; }

    /// <summary>
    /// The inventory of the whole bag: <paramref name="files"/> are every regular file the slices
    /// found, in tar order. Only meaningful once the scan reached the end of the tar.
    /// </summary>
    public BagInventory ToInventory(IReadOnlyList<BagFile> files, string? expectedBagName) =>
        new(BagSource.Tar, BagName, expectedBagName, files, OtherEntries, TagFiles, TagFilesNotKept.ToHashSet(StringComparer.Ordinal), Findings);
}

/// <summary>Where a slice of a tar scan stopped.</summary>
/// <param name="Finished">True when the tar's end was reached: <see cref="TarScanState.ToInventory"/> may be built.</param>
/// <param name="NextOffset">Byte offset in the tar of the next entry's first header block: where the next slice starts reading.</param>
/// <param name="State">Bag-level state to hand to the next slice.</param>
/// <param name="Files">Regular files completed in this slice only, in tar order, every digest final.</param>
public sealed record TarScanSlice(bool Finished, long NextOffset, TarScanState State, IReadOnlyList<BagFile> Files);
