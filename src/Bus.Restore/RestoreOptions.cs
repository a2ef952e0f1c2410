using Bus.Platform.Options;

namespace Bus.Restore;

/// <summary>Restore settings (section <c>Bus:Restore</c>), validated when a process starts.</summary>
public sealed class RestoreOptions : IBusOptions
{
    public const string Section = "Bus:Restore";
    public string SectionName => Section;

    public static readonly IReadOnlyList<string> Tiers = ["Standard", "Bulk", "Expedited"];

    /// <summary>Where restored tars and files are written: <c>&lt;institution&gt;/&lt;bag&gt;.tar</c>, <c>&lt;institution&gt;/files/&lt;path&gt;</c>.</summary>
    public string Bucket { get; set; } = "bus-restore";
    /// <summary>Retrieval tier of the RestoreObject request sent for a cold (GLACIER, DEEP_ARCHIVE) copy.</summary>
    public string Tier { get; set; } = "Standard";
    /// <summary>How many days a cold copy stays readable after its restore request.</summary>
    public int Days { get; set; } = 3;
    /// <summary>Wait before the first poll of cold copies being restored; each next wait doubles, up to <see cref="ColdPollMaxInterval"/> (PostgreSQL scheduler).</summary>
    public TimeSpan ColdPollInterval { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan ColdPollMaxInterval { get; set; } = TimeSpan.FromHours(3);
    /// <summary>Polls of cold copies before the restore fails (the default covers Deep Archive's 48 hours).</summary>
    public int MaxColdPolls { get; set; } = 40;
    /// <summary>Wait between attempts to take the item lock while another workflow (a deletion, an ingest) holds it.</summary>
    public TimeSpan ItemLockRetryDelay { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Attempts to take the item lock before the restore fails.</summary>
    public int MaxItemLockWaits { get; set; } = 12;
    /// <summary>Multipart part size (MiB, 5-512); raised for objects that would need more than 9,000 parts. Memory per running write is (<see cref="UploadsInFlight"/> + 1) parts.</summary>
    public int PartMiB { get; set; } = 16;
    /// <summary>Parts uploaded at once while the next one is read and hashed (1-8); each holds a part buffer until S3 has it.</summary>
    public int UploadsInFlight { get; set; } = 2;
    /// <summary>Copies HEADed at once while a restore is prepared.</summary>
    public int HeadConcurrency { get; set; } = 8;
    /// <summary>Longest the tar step works inside one broker message before it checkpoints and continues in a new one.</summary>
    public TimeSpan TimeSlice { get; set; } = TimeSpan.FromMinutes(5);
    public int RetryLimit { get; set; } = 5;
    public TimeSpan[] RedeliveryIntervals { get; set; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1)];

    public long PartBytes => PartMiB * 1024L * 1024;

    public IEnumerable<OptionError> Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket)) yield return new(nameof(Bucket), "must be set");
        if (!Tiers.Contains(Tier)) yield return new(nameof(Tier), $"must be one of {string.Join(", ", Tiers)} (got '{Tier}')");
        if (Days is < 1 or > 365) yield return new(nameof(Days), $"must be 1-365 (got {Days})");
        if (ColdPollInterval <= TimeSpan.Zero) yield return new(nameof(ColdPollInterval), "must be positive");
        if (ColdPollMaxInterval < ColdPollInterval) yield return new(nameof(ColdPollMaxInterval), $"must be at least ColdPollInterval ({ColdPollInterval})");
        if (MaxColdPolls is < 1 or > 10_000) yield return new(nameof(MaxColdPolls), $"must be 1-10000 (got {MaxColdPolls})");
        if (ItemLockRetryDelay <= TimeSpan.Zero) yield return new(nameof(ItemLockRetryDelay), "must be positive");
        if (MaxItemLockWaits is < 0 or > 10_000) yield return new(nameof(MaxItemLockWaits), $"must be 0-10000 (got {MaxItemLockWaits})");
        if (PartMiB is < 5 or > 512) yield return new(nameof(PartMiB), $"must be 5-512, S3's smallest part is 5 MiB (got {PartMiB})");
        if (UploadsInFlight is < 1 or > 8) yield return new(nameof(UploadsInFlight), $"must be 1-8 (got {UploadsInFlight})");
        if (HeadConcurrency is < 1 or > 64) yield return new(nameof(HeadConcurrency), $"must be 1-64 (got {HeadConcurrency})");
        if (TimeSlice < TimeSpan.FromMilliseconds(100) || TimeSlice > TimeSpan.FromMinutes(25))
            yield return new(nameof(TimeSlice), $"must be 00:00:00.1-00:25:00, under RabbitMQ's 30-minute consumer timeout (got {TimeSlice})");
        if (RetryLimit is < 0 or > 50) yield return new(nameof(RetryLimit), $"must be 0-50 (got {RetryLimit})");
        if (RedeliveryIntervals.Any(i => i <= TimeSpan.Zero)) yield return new(nameof(RedeliveryIntervals), "must all be positive");
    }

    public IEnumerable<string> Endpoints() => [];

    /// <summary>The wait before cold poll number <paramref name="poll"/> (1-based): doubling from <see cref="ColdPollInterval"/>, capped.</summary>
    public TimeSpan ColdPollDelay(int poll)
    {
        var wait = ColdPollInterval;
        for (var i = 1; i < poll && wait < ColdPollMaxInterval; i++) wait *= 2;
        return wait < ColdPollMaxInterval ? wait : ColdPollMaxInterval;
    }
}
