namespace Bus.BagIt.Scanning;

public sealed record BagScanOptions
{
    /// <summary>
    /// The bag name the serialization must carry (the tar's file or key name without <c>.tar</c>);
    /// null skips the check. Profiles with Tar-Dir-Must-Match-Name compare it with the top-level folder.
    /// </summary>
    public string? ExpectedBagName { get; init; }

    /// <summary>
    /// Largest root-level tag file kept in memory for parsing. A sha512 manifest of 100,000 files is
    /// about 16 MiB; anything far beyond is refused (<see cref="BagIssueCodes.TagTooLarge"/>).
    /// </summary>
    public long MaxTagFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Bound on all kept tag file bytes together.</summary>
    public long MaxTotalTagBytes { get; init; } = 256L * 1024 * 1024;
}
