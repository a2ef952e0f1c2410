namespace Bus.Contracts.Ingest;

/// <summary>
/// Ingest the bag tar at <paramref name="Bucket"/>/<paramref name="Key"/>. The id is derived from
/// (institution, bucket, key, ETag) with <see cref="IngestIds.For"/>, so a duplicate submit is one ingest.
/// A submit that arrives after that ingest ended, when it failed or was cancelled, or when its object
/// was deleted or reingested from elsewhere since, starts a new ingest (<see cref="IngestIds.SuccessorOf"/>);
/// <see cref="IngestStatus.SupersededBy"/> names it. See docs/ingest.md.
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
    public Guid IngestId => IngestIds.For(Institution, Bucket, Key, ETag);
}

/// <summary>Stop an ingest that has not completed; what it stored but never recorded is removed.</summary>
public sealed record CancelIngest(Guid IngestId, string RequestedBy, string? Reason);
