using Bus.Platform.Options;

namespace Bus.Operations;

/// <summary>Operator tooling settings (section <c>Bus:Operations</c>).</summary>
public sealed class OperationsOptions : IBusOptions
{
    public const string Section = "Bus:Operations";
    public string SectionName => Section;

    /// <summary>Archived error messages older than this are deleted by <c>busctl errors purge-archive</c>.</summary>
    public int ArchiveRetentionDays { get; set; } = 90;

    /// <summary>
    /// At most this many messages are held (unacknowledged, in memory) by one scan of an error queue.
    /// Messages beyond it are not looked at and stay where they are; the command says so.
    /// </summary>
    public int MaxScanMessages { get; set; } = 100_000;

    /// <summary>
    /// A replay publishes this many copies before it waits for their broker confirms together, then
    /// removes the originals that were confirmed. Bounds what is in flight (and so what an interrupted
    /// replay can leave in both places); larger batches share the broker's disk writes among more copies.
    /// </summary>
    public int ReplayBatchSize { get; set; } = 256;

    public IEnumerable<OptionError> Validate()
    {
        if (ArchiveRetentionDays is < 1 or > 36_500)
            yield return new(nameof(ArchiveRetentionDays), $"must be 1-36500 days (got {ArchiveRetentionDays})");
        if (MaxScanMessages is < 1 or > 10_000_000)
            yield return new(nameof(MaxScanMessages), $"must be 1-10000000 (got {MaxScanMessages})");
        if (ReplayBatchSize is < 1 or > 10_000)
            yield return new(nameof(ReplayBatchSize), $"must be 1-10000 (got {ReplayBatchSize})");
    }

    // Talks only to the RabbitMQ and PostgreSQL endpoints already checked by their own sections.
    public IEnumerable<string> Endpoints() => [];
}
