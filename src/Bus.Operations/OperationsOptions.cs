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

    public IEnumerable<OptionError> Validate()
    {
        if (ArchiveRetentionDays is < 1 or > 36_500)
            yield return new(nameof(ArchiveRetentionDays), $"must be 1-36500 days (got {ArchiveRetentionDays})");
        if (MaxScanMessages is < 1 or > 10_000_000)
            yield return new(nameof(MaxScanMessages), $"must be 1-10000000 (got {MaxScanMessages})");
    }

    // Talks only to the RabbitMQ and PostgreSQL endpoints already checked by their own sections.
    public IEnumerable<string> Endpoints() => [];
}
