namespace Bus.BagIt.Scanning;

public sealed record BagScanOptions
{
    /// <summary>
    /// The bag name the serialization must carry (the tar's file or key name without <c>.tar</c>);
    /// null skips the check. Profiles with Tar-Dir-Must-Match-Name compare it with the top-level folder.
    /// </summary>
    public string? ExpectedBagName { get; init; }

    /// <summary>
    /// Largest root-level tag file Bus parses whole (<see cref="ParsedTagFiles"/>: bagit.txt, bag-info.txt,
    /// fetch.txt, aptrust-info.txt). A larger one is an error (<see cref="BagIssueCodes.TagTooLarge"/>) and its
    /// bytes are not kept. Manifests and tag manifests are exempt: they grow with the bag (a sha512 manifest of
    /// 100,000 files is about 16 MiB) and are read line by line. Any other root tag file beyond it (a restored
    /// bag's premis-events.json of thousands of events) is not kept either but is no error: it is hashed as it
    /// streams and checked against the tag manifests like payload.
    /// </summary>
    public long MaxTagFileBytes { get; init; } = DefaultMaxTagFileBytes;

    public const long DefaultMaxTagFileBytes = 1024 * 1024;

    /// <summary>
    /// Bound on all tag file bytes kept in memory together (without a <see cref="TagSource"/>; with
    /// one, on the non-manifest tag files read back for validation). A file beyond it is not kept and
    /// is an error when a rule needs it.
    /// </summary>
    public long MaxTotalTagBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Where root tag files are read back from after the scan (ingest: staging). When set, the scan
    /// state keeps tag file bytes only up to <see cref="InlineTagBytes"/> in all (a small bag's tag
    /// files, to save reading them back); every other tag file and manifest is read from the source.
    /// </summary>
    public ITagFileSource? TagSource { get; init; }

    /// <summary>With a <see cref="TagSource"/>: tag file bytes the scan state may carry in all.</summary>
    public long InlineTagBytes { get; init; } = 32 * 1024;

    /// <summary>
    /// Largest pax extended header (x, g) or GNU long name (L, K) read from a tar: TarReader holds
    /// one whole in memory, so a larger one is refused (<see cref="BagIssueCodes.TarHeaderTooLarge"/>).
    /// Real ones carry a path or a few attributes: kilobytes.
    /// </summary>
    public long MaxTarMetadataBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// How many bytes the tar stream holds when the caller knows (an S3 body's Content-Length): a
    /// stream that ends sooner failed in transfer (an <see cref="IOException"/>, which ingest retries),
    /// it is not a truncated tar.
    /// </summary>
    public long? SourceLength { get; init; }
}
