namespace Bus.Registry.Store;

// Inputs and results of RegistryStore. Times are stored as UTC timestamptz.

/// <summary>What ingest knows about a bag when it records the object (aptrust-info.txt, bag-info.txt).</summary>
public sealed record ObjectRecord(
    string Institution, string BagName, string Title, string? Description, string Access,
    string StorageOption, string? BagitProfile, Guid? IngestId)
{
    public string Identifier => Identifiers.ForObject(Institution, BagName);
}

/// <summary>
/// The object row after an upsert. <see cref="Inserted"/> is true only for the call that created it;
/// <see cref="StorageOption"/> is filled by <see cref="RegistryStore.FindObjectAsync"/>.
/// </summary>
public sealed record ObjectRow(long Id, string Identifier, string Institution, string State, bool Inserted, string? StorageOption = null);

/// <summary>A file to upsert. The UUID is made once by ingest (and kept across reingests of the same path).</summary>
public sealed record FileRecord(Guid Id, string Identifier, long Size, string Format, string? FormatMethod);

public sealed record ChecksumRecord(Guid FileId, string Algorithm, string Digest, DateTimeOffset DateTime, string Source);

/// <summary>A PREMIS event; <see cref="Id"/> is generated once by the caller and kept, so a retry never duplicates.</summary>
public sealed record EventRecord(
    Guid Id, long ObjectId, Guid? FileId, string Identifier, string EventType, DateTimeOffset DateTime,
    string Outcome, string Detail, string? OutcomeDetail, string Agent);

/// <summary>
/// A preservation copy of a file in one bucket: which copy of its storage option it is, its S3 storage class and
/// tier (hot or cold), and the SHA-256 checksum S3 reported when it was verified (base64 or multipart composite).
/// </summary>
public sealed record StorageCopy(
    Guid FileId, string Bucket, string Key, string? Etag, string StorageOption, DateTimeOffset StoredAt, DateTimeOffset? VerifiedAt,
    string StorageClass = "STANDARD", string Tier = "hot", string? CopyName = null, string? Region = null, string? ChecksumSha256 = null);

/// <summary>A file already registered for an object, for reingest: keep <see cref="Id"/> for the path, compare <see cref="Sha256"/>.</summary>
public sealed record ExistingFile(Guid Id, string Identifier, string Path, long Size, string State, string? Sha256);

/// <summary>
/// A registered file as a reingest sees it: its UUID, the latest sha256 computed at ingest, and whether it
/// is still preserved (active, a verified copy in every required bucket).
/// </summary>
public sealed record PreservedFile(Guid Id, string? Sha256, bool Preserved);

/// <summary>A storage copy as stored, with its fixity status.</summary>
public sealed record CopyRow(
    long Id, Guid FileId, long ObjectId, string FileIdentifier, string Bucket, string Key, string? Etag, string StorageOption,
    DateTimeOffset StoredAt, DateTimeOffset? VerifiedAt, DateTimeOffset? LastFixityAt, string? LastFixityOutcome, string State,
    string StorageClass = "STANDARD", string Tier = "hot", string? CopyName = null, string? Region = null, string? ChecksumSha256 = null);

/// <summary>A copy due for a fixity check: <see cref="DueSince"/> is its last check, or when it was stored if never checked.</summary>
public sealed record DueCopy(long StorageRecordId, Guid FileId, string FileIdentifier, string Bucket, string Key, DateTimeOffset DueSince);

/// <summary>A file with what callers usually need next to it: its object and institution.</summary>
public sealed record FileRow(Guid Id, string Identifier, long ObjectId, string ObjectIdentifier, string Institution, long Size, string State);

public sealed record TombstoneResult(int Objects, int Files, int StorageRecords);

public sealed record InstitutionRow(string Identifier, string Name, DateTimeOffset CreatedAt);

public sealed record UserRow(string Email, string Institution, string Role, DateTimeOffset CreatedAt);

public enum AddUserOutcome { Added, Duplicate, UnknownInstitution }

public sealed record AlertRecord(Guid Id, string Kind, long? ObjectId, Guid? FileId, string? Identifier, string Message);

public sealed record AlertRow(
    Guid Id, string Kind, long? ObjectId, Guid? FileId, string? Identifier, string Message,
    DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy);
