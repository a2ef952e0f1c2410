namespace Bus.Registry.Model;

// EF Core entities for reading the registry (busctl, admin tooling). Writes that must be idempotent
// or bulk go through RegistryStore's SQL; the schema itself is Migrations/RegistrySchemaSql.cs.

public sealed class Institution
{
    public required string Identifier { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class User
{
    public required string Email { get; set; }
    public required string Institution { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class IntellectualObject
{
    public long Id { get; set; }
    public required string Identifier { get; set; }
    public required string Institution { get; set; }
    public required string BagName { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public required string Access { get; set; }
    public required string StorageOption { get; set; }
    public string? BagitProfile { get; set; }
    public required string State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public Guid? LastIngestId { get; set; }
}

public sealed class GenericFile
{
    public Guid Id { get; set; }
    public required string Identifier { get; set; }
    public long ObjectId { get; set; }
    public long Size { get; set; }
    public required string Format { get; set; }
    public string? FormatMethod { get; set; }
    public required string State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public sealed class Checksum
{
    public long Id { get; set; }
    public Guid FileId { get; set; }
    public required string Algorithm { get; set; }
    public required string Digest { get; set; }
    public DateTimeOffset DateTime { get; set; }
    public required string Source { get; set; }
}

public sealed class StorageRecord
{
    public long Id { get; set; }
    public Guid FileId { get; set; }
    public required string Bucket { get; set; }
    public required string Key { get; set; }
    public string? Etag { get; set; }
    public required string StorageOption { get; set; }
    public DateTimeOffset StoredAt { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
    public DateTimeOffset? LastFixityAt { get; set; }
    public string? LastFixityOutcome { get; set; }
    public DateTimeOffset? FixityClaimedUntil { get; set; }
    public required string State { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public string? CopyName { get; set; }
    public string? Region { get; set; }
    public string StorageClass { get; set; } = "STANDARD";
    public string Tier { get; set; } = "hot";
    public string? ChecksumSha256 { get; set; }
}

public sealed class PremisEvent
{
    public Guid Id { get; set; }
    public long ObjectId { get; set; }
    public Guid? FileId { get; set; }
    public required string Identifier { get; set; }
    public required string EventType { get; set; }
    public DateTimeOffset DateTime { get; set; }
    public required string Outcome { get; set; }
    public required string Detail { get; set; }
    public string? OutcomeDetail { get; set; }
    public required string Agent { get; set; }
}

public sealed class Alert
{
    public Guid Id { get; set; }
    public required string Kind { get; set; }
    public long? ObjectId { get; set; }
    public Guid? FileId { get; set; }
    public string? Identifier { get; set; }
    public required string Message { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
}
