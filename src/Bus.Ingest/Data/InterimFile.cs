namespace Bus.Ingest.Data;

/// <summary>One file of an ingest as Unpack found it (digests in lower-case hex).</summary>
public sealed record InterimFile(
    string Path, Guid FileId, long Size, string Md5, string Sha1, string Sha256, string Sha512, string StagingKey, bool IsPayload,
    string? Format = null, string? FormatMethod = null);

/// <summary>A file as the later steps see it: where it is staged, where it goes, what is done.</summary>
public sealed record InterimFileState(
    string Path, Guid FileId, long Size, string Sha256, string StagingKey, bool IsPayload, bool StoreNeeded,
    string? Format, DateTimeOffset? PrimaryStoredAt, DateTimeOffset? ReplicaStoredAt,
    DateTimeOffset? PrimaryVerifiedAt, DateTimeOffset? ReplicaVerifiedAt, int Recopies, DateTimeOffset? RecordedAt,
    string Md5, string Sha1, string Sha512, string? FormatMethod, string? PrimaryEtag, string? ReplicaEtag,
    string? PrimaryChecksum = null, string? ReplicaChecksum = null)
{
    // Slot accessors: "primary" is a storage option's first copy, "replica" its second (see PreservationCopier).
    public DateTimeOffset? StoredAt(string slot) => slot == "primary" ? PrimaryStoredAt : ReplicaStoredAt;
    public DateTimeOffset? VerifiedAt(string slot) => slot == "primary" ? PrimaryVerifiedAt : ReplicaVerifiedAt;
    public string? Etag(string slot) => slot == "primary" ? PrimaryEtag : ReplicaEtag;
    public string? Checksum(string slot) => slot == "primary" ? PrimaryChecksum : ReplicaChecksum;
}

/// <summary>What Unpack and Validate learned about the bag itself.</summary>
public sealed record InterimBag(
    Guid IngestId, string Institution, string BagName, string? ObjectIdentifier, string? Title, string? Description,
    string? Access, string? StorageOption, string? BagitProfile, IReadOnlyList<string> ManifestAlgorithms, bool Reingest,
    string Problems, DateTimeOffset? CancelledAt);

/// <summary>What Unpack learned about the bag: its tags (for Validate and Record) and the validator's errors as JSON.</summary>
public sealed record UnpackedBag(
    string BagName, string Problems, IReadOnlyList<string> ManifestAlgorithms, string? Title, string? Description,
    string? Access, string? StorageOption, string? BagitProfile);

/// <summary>An ingest's receiving object as its saga row holds it (ETag unquoted, lower-case), and where the saga is.</summary>
public sealed record IngestUpload(string Bucket, string Key, string ETag, string State, string? Step);
