namespace Bus.Contracts.Ingest;

/// <summary>
/// Ingest the bag tar at <paramref name="Bucket"/>/<paramref name="Key"/>. The saga derives its id
/// from (bucket, key, ETag) with <see cref="IngestIds.For"/>, so a duplicate submit is one ingest.
/// <paramref name="StorageOption"/> null means the bag's own <c>Storage-Option</c> tag (or Standard).
/// </summary>
public sealed record SubmitIngest(
    string Institution,
    string Bucket,
    string Key,
    string ETag,
    long Size,
    string? StorageOption,
    string SubmittedBy,
    DateTimeOffset SubmittedAt)
{
    public Guid IngestId => IngestIds.For(Bucket, Key, ETag);
}

/// <summary>Stop an ingest that has not completed; what it stored but never recorded is removed.</summary>
public sealed record CancelIngest(Guid IngestId, string RequestedBy, string? Reason);
