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
    /// <summary>The first findings (at most <see cref="BagIssueList.MaxKept"/>); <see cref="FindingsOmitted"/> counts the rest.</summary>
    public List<BagIssue> Findings { get; set; } = [];
    public long FindingsOmitted { get; set; }
    /// <summary>
    /// Root-level tag files kept so far (bytes), by name. With a tag source only small ones (up to
    /// <see cref="BagScanOptions.InlineTagBytes"/> in all): manifests and larger tag files are read back
    /// from it, their staging key and digests being the file's (its interim row), not bytes here.
    /// </summary>
    public Dictionary<string, byte[]> TagFiles { get; set; } = new(StringComparer.Ordinal);
    public List<string> TagFilesNotKept { get; set; } = [];
    public long KeptTagBytes { get; set; }
    /// <summary>With a tag source: bytes of the non-manifest tag files it will be asked for.</summary>
    public long ReferencedTagBytes { get; set; }
    /// <summary>The large file the slice stopped inside, or null when it stopped at an entry boundary.</summary>
    public PartialEntry? Partial { get; set; }
    /// <summary>Files whose paused state was refused once: they are read whole from now on, so a refusal cannot repeat forever.</summary>
    public List<string> UnpausablePaths { get; set; } = [];

    /// <summary>
    /// The inventory of the whole bag: <paramref name="files"/> are every regular file the slices
    /// found, in tar order. Only meaningful once the scan reached the end of the tar.
    /// </summary>
    public BagInventory ToInventory(IReadOnlyList<BagFile> files, string? expectedBagName, ITagFileSource? tagSource = null) =>
        new(BagSource.Tar, BagName, expectedBagName, files, OtherEntries, TagFiles, TagFilesNotKept.ToHashSet(StringComparer.Ordinal),
            new BagIssueList(Findings, FindingsOmitted), tagSource);
}

/// <summary>Where a slice of a tar scan stopped.</summary>
/// <param name="Finished">True when the tar's end was reached: <see cref="TarScanState.ToInventory"/> may be built.</param>
/// <param name="NextOffset">Byte offset in the tar of the next entry's first header block: where the next slice starts reading.</param>
/// <param name="State">Bag-level state to hand to the next slice.</param>
/// <param name="Files">Regular files completed in this slice only, in tar order, every digest final.</param>
public sealed record TarScanSlice(bool Finished, long NextOffset, TarScanState State, IReadOnlyList<BagFile> Files);

/// <summary>
/// A large regular file a slice stopped inside, at one of the sink's part boundaries: the next slice
/// reads the tar on from <see cref="DataOffset"/> + <see cref="BytesDone"/>, restores the four digest
/// states and the sink's state, and finishes the file before reading the next entry header.
/// </summary>
public sealed class PartialEntry
{
    /// <summary>Tar offset of the entry's first header block: where the file is read again from if its saved state is refused.</summary>
    public long HeaderOffset { get; set; }
    /// <summary>Tar offset of the file's first data byte.</summary>
    public long DataOffset { get; set; }
    public string Path { get; set; } = "";
    public long Size { get; set; }
    public long BytesDone { get; set; }
    /// <summary>md5, sha1, sha256, sha512 states after <see cref="BytesDone"/> bytes (<c>ResumableHash.SaveState</c>).</summary>
    public List<byte[]> DigestStates { get; set; } = [];
    /// <summary>The sink's own state (e.g. a staging upload's id and part ETags).</summary>
    public string SinkState { get; set; } = "";

    /// <summary>Tar offset of the next byte to read.</summary>
    public long NextOffset => DataOffset + BytesDone;

    public BagEntry Entry => new(Path, Size, BagEntryKind.RegularFile);
}
