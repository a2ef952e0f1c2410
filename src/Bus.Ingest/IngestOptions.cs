using Bus.Platform.Options;

namespace Bus.Ingest;

/// <summary>Bus:Ingest: how the ingest steps behave. Validated at start-up (the bad key is named).</summary>
public sealed class IngestOptions : IBusOptions
{
    public const string Section = "Bus:Ingest";
    public string SectionName => Section;

    /// <summary>
    /// Longest a step holds one broker message before it checkpoints, sends itself a continuation and
    /// acknowledges; well under RabbitMQ's 30-minute consumer timeout (its default `consumer_timeout`). Steps stop between
    /// files, and inside a large one: Unpack at a 16 MiB staging part, Store between multipart copy
    /// parts, Verify between 1 MiB reads of a copy from 64 MiB. Tests use 1 s to force slicing.
    /// </summary>
    public int TimeSliceSeconds { get; set; } = 300;
    /// <summary>How many times Verify re-copies a copy whose sha256 does not match before the ingest fails.</summary>
    public int VerifyRecopyAttempts { get; set; } = 2;
    /// <summary>Delete the receiving tar once the ingest completed (depositors re-upload to reingest).</summary>
    public bool DeleteReceivingObject { get; set; } = true;
    /// <summary>Days interim per-file rows are kept after an ingest ends (for audits and support).</summary>
    public int InterimRetentionDays { get; set; } = 30;
    /// <summary>Bytes of a file's head given to libmagic for format identification.</summary>
    public int IdentifyHeadBytes { get; set; } = 64 * 1024;
    /// <summary>Objects at or above this size are copied with multipart UploadPartCopy (S3 refuses CopyObject over 5 GiB).</summary>
    public long MultipartCopyThresholdBytes { get; set; } = 256L * 1024 * 1024;
    public long MultipartCopyPartBytes { get; set; } = 128L * 1024 * 1024;
    /// <summary>
    /// Files Record reads and writes per round inside its one registry transaction (~11 events, 8
    /// checksums and 2 copies each): bounds its memory whatever the bag size. Tests use 2 to force chunks.
    /// </summary>
    public int RecordChunkFiles { get; set; } = 1000;
    /// <summary>
    /// Largest root-level tag file other than a manifest a bag may have (bag-info.txt, aptrust-info.txt, ...):
    /// a larger one is a rejection reason (tag.too-large), never read into memory or a message. Manifests
    /// are exempt (read line by line from staging).
    /// </summary>
    public long MaxTagFileBytes { get; set; } = Bus.BagIt.Scanning.BagScanOptions.DefaultMaxTagFileBytes;
    /// <summary>Parallel S3 copies/reads inside one step message.</summary>
    public int StepConcurrency { get; set; } = 4;
    /// <summary>Prefix for the ingest queues, so a test host on the shared broker uses queues of its own.</summary>
    public string QueuePrefix { get; set; } = "";
    /// <summary>In-process retries (exponential backoff, 0.5-20 s) of a step that failed transiently (see <see cref="Bus.Workflows.Steps.TransientErrors"/>), after Polly's quick S3 retries.</summary>
    public int RetryLimit { get; set; } = 5;
    /// <summary>
    /// When the retries are spent, how many times the step's command is redelivered later through the
    /// PostgreSQL scheduler (a "scheduler" role must run in the same virtual host) before it faults and
    /// the saga parks in Faulted. 0: fault right after the retries.
    /// </summary>
    public int RedeliveryLimit { get; set; } = 3;
    /// <summary>Wait before the first redelivery; each later one waits five times the one before (1, 5, 25 minutes by default).</summary>
    public TimeSpan RedeliveryDelay { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>
    /// While a deletion holds the object's item lock, the ingest waits and tries again after this many
    /// seconds (through the PostgreSQL scheduler: some process must run the scheduler role).
    /// </summary>
    public int ItemLockRetrySeconds { get; set; } = 300;
    /// <summary>Retries before the ingest fails with item-locked (default one day at 5 minutes; 0 fails at once).</summary>
    public int ItemLockMaxWaits { get; set; } = 288;

    public IEnumerable<OptionError> Validate()
    {
        if (ItemLockRetrySeconds is < 1 or > 86400) yield return new(nameof(ItemLockRetrySeconds), $"must be 1-86400 seconds (got {ItemLockRetrySeconds})");
        if (ItemLockMaxWaits is < 0 or > 100000) yield return new(nameof(ItemLockMaxWaits), $"must be 0-100000 (got {ItemLockMaxWaits})");
        if (TimeSliceSeconds is < 1 or > 1500) yield return new(nameof(TimeSliceSeconds), $"must be 1-1500 seconds, under RabbitMQ's 30-minute consumer timeout (got {TimeSliceSeconds})");
        if (RecordChunkFiles is < 1 or > 100_000) yield return new(nameof(RecordChunkFiles), $"must be 1-100000 files (got {RecordChunkFiles})");
        if (VerifyRecopyAttempts is < 0 or > 10) yield return new(nameof(VerifyRecopyAttempts), $"must be 0-10 (got {VerifyRecopyAttempts})");
        if (InterimRetentionDays is < 1 or > 3650) yield return new(nameof(InterimRetentionDays), $"must be 1-3650 (got {InterimRetentionDays})");
        if (IdentifyHeadBytes is < 256 or > 16 * 1024 * 1024) yield return new(nameof(IdentifyHeadBytes), $"must be 256 bytes to 16 MiB (got {IdentifyHeadBytes})");
        if (MultipartCopyPartBytes is < 5L * 1024 * 1024 or > 5L * 1024 * 1024 * 1024) yield return new(nameof(MultipartCopyPartBytes), $"must be 5 MiB-5 GiB, S3's part size limits (got {MultipartCopyPartBytes})");
        if (MultipartCopyThresholdBytes < MultipartCopyPartBytes || MultipartCopyThresholdBytes > 5L * 1024 * 1024 * 1024)
            yield return new(nameof(MultipartCopyThresholdBytes), $"must be between MultipartCopyPartBytes and 5 GiB (got {MultipartCopyThresholdBytes})");
        if (MaxTagFileBytes is < 4096 or > 64L * 1024 * 1024) yield return new(nameof(MaxTagFileBytes), $"must be 4 KiB-64 MiB (got {MaxTagFileBytes})");
        if (StepConcurrency is < 1 or > 64) yield return new(nameof(StepConcurrency), $"must be 1-64 (got {StepConcurrency})");
        if (QueuePrefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            yield return new(nameof(QueuePrefix), $"may contain only letters, digits, '-', '_' or '.' (got '{QueuePrefix}')");
        if (RetryLimit is < 0 or > 20) yield return new(nameof(RetryLimit), $"must be 0-20 (got {RetryLimit})");
        if (RedeliveryLimit is < 0 or > 8) yield return new(nameof(RedeliveryLimit), $"must be 0-8 (got {RedeliveryLimit})");
        if (RedeliveryDelay < TimeSpan.FromSeconds(1) || RedeliveryDelay > TimeSpan.FromHours(1))
            yield return new(nameof(RedeliveryDelay), $"must be 1 second to 1 hour (got {RedeliveryDelay})");
    }

    public IEnumerable<string> Endpoints() => [];

    public TimeSpan TimeSlice => TimeSpan.FromSeconds(TimeSliceSeconds);
    public TimeSpan ItemLockRetryDelay => TimeSpan.FromSeconds(ItemLockRetrySeconds);

    /// <summary>The delay before each scheduled redelivery: <see cref="RedeliveryDelay"/>, then five times the previous one.</summary>
    public IReadOnlyList<TimeSpan> RedeliveryIntervals =>
        Enumerable.Range(0, RedeliveryLimit).Select(i => RedeliveryDelay * Math.Pow(5, i)).ToList();
}
