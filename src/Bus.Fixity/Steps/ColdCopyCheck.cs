using Bus.Contracts.Fixity;
using Bus.Fixity.Data;
using Bus.Fixity.StateMachines.Messages;
using Bus.Workflows.Copies;

namespace Bus.Fixity.Steps;

/// <summary>What a HEAD showed about a cold copy: its condition, a description for the PREMIS event, and S3's checksum.</summary>
public sealed record ColdCheckResult(string Condition, string Description, string? ReportedChecksum)
{
    /// <summary>The reported checksum as the digests a CopyVerified carries (empty when the copy is missing).</summary>
    public IReadOnlyDictionary<string, string> Digests =>
        ReportedChecksum is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [ColdCopyCheck.DigestName] = ReportedChecksum };
}

/// <summary>
/// Checks a cold copy (GLACIER, DEEP_ARCHIVE) without reading it: S3's SHA-256 checksum attribute (HEAD with
/// ChecksumMode ENABLED) against the one ingest verified and recorded, or, for a copy recorded without one,
/// against base64 of the file's ingest sha256. A copy overwritten since (without a checksum, or with other bytes)
/// no longer matches. The bytes themselves are not read: that needs a restore first (docs/fixity.md).
/// </summary>
public static class ColdCopyCheck
{
    /// <summary>The name the reported checksum goes under in CopyVerified's digests.</summary>
    public const string DigestName = "s3-checksum-sha256";

    public static string Expected(RegisteredCopy copy) =>
        copy.ChecksumSha256 ?? CopyChecksums.FromHex(copy.IngestDigests.TryGetValue("sha256", out var sha256)
            ? sha256
            : throw new MissingIngestDigestException("the registry holds no ingest sha256 for this file: nothing to compare the copy with"));

    public static async Task<ColdCheckResult> CheckAsync(ICopyStorage storage, RegisteredCopy copy, string expected, CancellationToken ct)
    {
        var head = await storage.HeadAsync(copy.Bucket, copy.Key, ct);
        if (head is null) return new ColdCheckResult(CopyConditions.Missing, $"object missing; expected S3 sha256 checksum {expected}", null);
        var what = $"{copy.Tier} copy ({head.StorageClass ?? "STANDARD"}) checked by S3's sha256 checksum, not read: expected {expected} reported {head.ChecksumSha256 ?? "(none)"}";
        return CopyChecksums.Matches(expected, head.ChecksumSha256)
            ? new ColdCheckResult(CopyConditions.Intact, what, head.ChecksumSha256)
            : new ColdCheckResult(CopyConditions.Mismatch, what, head.ChecksumSha256);
    }
}
