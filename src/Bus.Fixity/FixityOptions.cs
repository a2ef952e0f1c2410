using Bus.Platform.Options;

namespace Bus.Fixity;

/// <summary>Fixity sweep and check settings (section <c>Bus:Fixity</c>), validated when a process starts.</summary>
public sealed class FixityOptions : IBusOptions
{
    public const string Section = "Bus:Fixity";
    public string SectionName => Section;

    public static readonly IReadOnlyList<string> KnownAlgorithms = ["md5", "sha1", "sha256", "sha512"];

    /// <summary>Whether this host runs the periodic sweep (the fixity role always runs the check saga and steps).</summary>
    public bool SweepEnabled { get; set; } = true;
    /// <summary>How often the sweep runs.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>
    /// Wait before a host's first sweep: a host that restarts (or a short-lived one, as in tests) does
    /// not sweep on every start; a sweep is also skipped when another host's sweep started within half an interval.
    /// </summary>
    public TimeSpan SweepStartDelay { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>A copy is due when its last check (or its storage, if never checked) is older than this.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromDays(90);
    /// <summary>Copies claimed and queued per database round trip.</summary>
    public int BatchSize { get; set; } = 2_500;
    /// <summary>Upper bound of copies one sweep queues, so a backlog spreads over several sweeps.</summary>
    public int MaxPerSweep { get; set; } = 100_000;
    /// <summary>How long a sweep's claim on a copy keeps other sweeps away (the check's outcome ends it sooner).</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromHours(6);
    /// <summary>A check still without an outcome after this long is abandoned, so the copy can be queued again.</summary>
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromHours(24);
    /// <summary>Comma-separated digests computed in the same pass; each one the registry holds an ingest digest for is compared. sha256 is required.</summary>
    public string Algorithms { get; set; } = "sha256";
    /// <summary>Read size when streaming a copy; memory per check is about twice this.</summary>
    public int ReadBufferKiB { get; set; } = 1024;
    /// <summary>
    /// Longest a check reads a copy inside one broker message: then it checkpoints (offset, hash state,
    /// object version), sends itself a continuation and acknowledges, well before RabbitMQ's 30-minute
    /// consumer timeout. Tests set it to a fraction of a second.
    /// </summary>
    public TimeSpan TimeSlice { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How many times one slice starts a copy over because it was replaced while being read, before the step fails.</summary>
    public int MaxRestartsPerSlice { get; set; } = 3;
    /// <summary>Immediate retries of a step after a transient S3 or database error.</summary>
    public int RetryLimit { get; set; } = 5;
    /// <summary>
    /// A periodic restore-and-read of cold copies (whose checksum attribute is compared on every check). Not yet
    /// supported: it needs a restore before the read (docs/fixity.md). Set, it is refused at start-up rather than ignored.
    /// </summary>
    public TimeSpan? ColdInterval { get; set; }
    /// <summary>Later redeliveries (through the PostgreSQL scheduler) after the retries, before the step faults; empty turns them off.</summary>
    public TimeSpan[] RedeliveryIntervals { get; set; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1)];

    /// <summary>How the check steps read copies through the kit's <see cref="Bus.Workflows.Copies.SlicedCopyReader"/>.</summary>
    public Bus.Workflows.Copies.CopyReadSettings ReadSettings => new(AlgorithmList, ReadBufferKiB * 1024, MaxRestartsPerSlice);

    public IReadOnlyList<string> AlgorithmList =>
        Algorithms.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(a => a.ToLowerInvariant()).Distinct().ToList();

    public IEnumerable<OptionError> Validate()
    {
        if (SweepInterval < TimeSpan.FromSeconds(1)) yield return new(nameof(SweepInterval), $"must be at least 1 second (got {SweepInterval})");
        if (SweepStartDelay < TimeSpan.Zero) yield return new(nameof(SweepStartDelay), $"must not be negative (got {SweepStartDelay})");
        if (CheckInterval <= TimeSpan.Zero) yield return new(nameof(CheckInterval), $"must be positive (got {CheckInterval})");
        if (BatchSize is < 1 or > 100_000) yield return new(nameof(BatchSize), $"must be 1-100000 (got {BatchSize})");
        if (MaxPerSweep < 1) yield return new(nameof(MaxPerSweep), $"must be at least 1 (got {MaxPerSweep})");
        if (ClaimLease < TimeSpan.FromMinutes(1)) yield return new(nameof(ClaimLease), $"must be at least 1 minute (got {ClaimLease})");
        if (AbandonAfter < TimeSpan.FromMinutes(1)) yield return new(nameof(AbandonAfter), $"must be at least 1 minute (got {AbandonAfter})");
        var unknown = AlgorithmList.Where(a => !KnownAlgorithms.Contains(a)).ToList();
        if (unknown.Count > 0) yield return new(nameof(Algorithms), $"has unknown algorithm(s) {string.Join(", ", unknown)}: expected some of {string.Join(", ", KnownAlgorithms)}");
        else if (!AlgorithmList.Contains("sha256")) yield return new(nameof(Algorithms), $"must include sha256, the digest every copy is compared on (got '{Algorithms}')");
        if (ReadBufferKiB is < 4 or > 65_536) yield return new(nameof(ReadBufferKiB), $"must be 4-65536 (got {ReadBufferKiB})");
        if (TimeSlice < TimeSpan.FromMilliseconds(100) || TimeSlice > TimeSpan.FromMinutes(25))
            yield return new(nameof(TimeSlice), $"must be 00:00:00.1-00:25:00, under RabbitMQ's 30-minute consumer timeout (got {TimeSlice})");
        if (MaxRestartsPerSlice is < 0 or > 100) yield return new(nameof(MaxRestartsPerSlice), $"must be 0-100 (got {MaxRestartsPerSlice})");
        if (RetryLimit is < 0 or > 50) yield return new(nameof(RetryLimit), $"must be 0-50 (got {RetryLimit})");
        if (RedeliveryIntervals.Any(i => i <= TimeSpan.Zero)) yield return new(nameof(RedeliveryIntervals), "must all be positive");
        if (ColdInterval is not null)
            yield return new(nameof(ColdInterval), "is not yet supported: cold copies are checked by their S3 checksum; a periodic restore-and-read needs restores (docs/fixity.md). Leave it unset");
    }

    public IEnumerable<string> Endpoints() => [];
}
