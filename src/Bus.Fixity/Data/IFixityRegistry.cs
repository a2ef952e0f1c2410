namespace Bus.Fixity.Data;

/// <summary>
/// What the check steps read from and write to the registry. Every write is idempotent: ids are
/// derived from the check (<see cref="FixityIds.ForRecord"/>), so a redelivered step records nothing twice.
/// </summary>
public interface IFixityRegistry
{
    /// <summary>The copy and its file's ingest digests, or null when no such storage record exists.</summary>
    Task<RegisteredCopy?> FindCopyAsync(long storageRecordId, CancellationToken cancellationToken);

    /// <summary>The file's other active copies (not <paramref name="storageRecordId"/>).</summary>
    Task<IReadOnlyList<RegisteredCopy>> OtherCopiesAsync(long storageRecordId, CancellationToken cancellationToken);

    /// <summary>Records a PREMIS fixity check event and the copy's last-checked time and outcome, in one transaction.</summary>
    Task RecordCheckAsync(CheckRecord check, CancellationToken cancellationToken);

    /// <summary>Records the repair: replication event, passing re-check event, copy checked and verified, and an alert; one transaction.</summary>
    Task RecordRepairAsync(RepairRecord repair, CancellationToken cancellationToken);

    /// <summary>Raises the Lost alert (nothing was overwritten).</summary>
    Task RecordLostAsync(LostRecord lost, CancellationToken cancellationToken);
}

/// <summary>
/// A registered copy with its file's ingest digests, how it is stored (S3 storage class, tier) and the SHA-256
/// checksum S3 reported when ingest verified it (null for copies recorded without one), and when it was stored.
/// </summary>
public sealed record RegisteredCopy(
    long StorageRecordId, Guid FileId, long ObjectId, string FileIdentifier, string Bucket, string Key,
    IReadOnlyDictionary<string, string> IngestDigests, string ObjectIdentifier,
    string StorageClass = "STANDARD", string Tier = "hot", string? ChecksumSha256 = null, DateTimeOffset? StoredAt = null)
{
    public Bus.Workflows.Copies.CopyObjectRef Location => new(Bucket, Key);

    /// <summary>Cold copies (GLACIER, DEEP_ARCHIVE) cannot be read without a restore: they are checked by S3's checksum.</summary>
    public bool IsCold => Tier == "cold";

    /// <summary>How a copy written from this one is stored: this copy's class, with S3's SHA-256 checksum.</summary>
    public Bus.Workflows.Copies.CopyWriteOptions Write => new(StorageClass, Sha256Checksum: true);
}

public sealed record CheckRecord(Guid EventId, RegisteredCopy Copy, bool Success, string Detail, string OutcomeDetail, DateTimeOffset At);

public sealed record RepairRecord(
    Guid ReplicationEventId, Guid RecheckEventId, Guid AlertId, RegisteredCopy Target, RegisteredCopy Source,
    string ReplicationDetail, string RecheckDetail, string AlertMessage, DateTimeOffset At, string? ChecksumSha256 = null);

public sealed record LostRecord(Guid AlertId, RegisteredCopy Copy, string Message, DateTimeOffset At);
