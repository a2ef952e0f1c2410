namespace Bus.Contracts.Ingest;

/// <summary>Asks the saga for its state; answered with <see cref="IngestStatus"/> or <see cref="IngestNotFound"/>.</summary>
public sealed record GetIngestStatus(Guid IngestId);

public sealed record IngestStatus(
    Guid IngestId,
    string State,
    string Institution,
    string Key,
    string? ObjectIdentifier,
    string? CurrentStep,
    string? LastError,
    IReadOnlyList<IngestRejection> Rejections,
    IReadOnlyList<IngestStepTiming> Steps,
    int FileCount,
    long Bytes,
    long ProgressDone,
    long ProgressTotal,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? FinishedAt,
    // Added after v1 (optional, additive): how this ingest relates to later submissions of its upload.
    Guid? SupersededBy = null,
    Guid? Supersedes = null,
    DateTimeOffset? LastSubmittedAt = null);

public sealed record IngestStepTiming(string Step, int Attempts, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

public sealed record IngestNotFound(Guid IngestId);
