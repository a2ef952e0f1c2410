namespace Bus.Restore.Data;

/// <summary>
/// A copy a planned file may be read from (hot first); <see cref="Cold"/>: a GLACIER / DEEP_ARCHIVE copy. The PREMIS
/// events file's one candidate is the object the restore staged (<see cref="StorageRecordId"/> 0: no registry copy).
/// </summary>
public sealed record PlannedCopy(long StorageRecordId, string Bucket, string Key, bool Cold);

/// <summary>
/// One entry of a restore, in the order it is written: its path inside the bag (or the file's path), size, the
/// registry's sha256 (for the PREMIS events tag file the restore makes, the one of the file it staged), and where
/// its bytes come from: <see cref="Candidates"/>. <see cref="FileId"/> is null for that PREMIS file only.
/// </summary>
public sealed record PlannedFile(int Seq, string Path, long Size, string Sha256, Guid? FileId, IReadOnlyList<PlannedCopy> Candidates);

/// <summary>What a restore is about, read from its saga row by the steps (a step message carries the id only).</summary>
public sealed record RestoreJob(Guid RestoreId, string State, string Kind, string Identifier, string ObjectIdentifier, string Institution,
    string RequestedBy, DateTimeOffset RequestedAt)
{
    /// <summary>Where the request asked the tar to go (spot tests), or null for the usual key.</summary>
    public string? DestinationKey { get; init; }
}

/// <summary>
/// The write checkpoint (<c>bus.restore_uploads</c>): the open multipart upload and its parts, where the next part
/// starts in the output, and when that offset falls inside a file's bytes the sha256 state of that file at
/// <see cref="ResumeAt"/> (its <see cref="ResumeSeq"/>); the copies found bad so far (never read again by this
/// restore). <see cref="Version"/> is the compare-and-set of concurrent deliveries.
/// </summary>
public sealed record UploadCheckpoint(
    Guid RestoreId, string Bucket, string Key, string UploadId, long PartBytes, long TotalBytes, long NextOffset,
    IReadOnlyList<UploadedPart> Parts, int? ResumeSeq, long? ResumeAt, byte[]? HashState, IReadOnlyList<long> BadCopies,
    int Version, int Slices, DateTimeOffset? CompletedAt);

public sealed record UploadedPart(int Number, string ETag, long Size);
