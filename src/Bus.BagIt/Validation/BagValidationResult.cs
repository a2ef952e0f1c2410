namespace Bus.BagIt.Validation;

/// <summary>
/// The outcome of validating one bag against one profile: every error found (not just the first)
/// and the warnings, plus the facts an ingest records (name, version, counts, Payload-Oxum).
/// </summary>
public sealed record BagValidationResult
{
    public required string? BagName { get; init; }
    public required string Profile { get; init; }
    public required string ProfileIdentifier { get; init; }
    public string? BagItVersion { get; init; }
    public required int PayloadFileCount { get; init; }
    public required long PayloadBytes { get; init; }
    /// <summary>The Payload-Oxum computed from the files, <c>octets.count</c>.</summary>
    public required string PayloadOxum { get; init; }
    /// <summary>The Payload-Oxum bag-info.txt declares, if any.</summary>
    public string? DeclaredPayloadOxum { get; init; }
    public required IReadOnlyList<string> ManifestAlgorithms { get; init; }
    public required IReadOnlyList<string> TagManifestAlgorithms { get; init; }
    /// <summary>The first <see cref="BagIssueList.MaxKept"/> errors, then (if there were more) one <see cref="BagIssueCodes.MoreReasons"/> counting the rest.</summary>
    public required IReadOnlyList<BagIssue> Errors { get; init; }
    public required IReadOnlyList<BagIssue> Warnings { get; init; }
    public bool IsValid => Errors.Count == 0;
}
