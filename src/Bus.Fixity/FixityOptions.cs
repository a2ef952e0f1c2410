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
    /// <summary>
    /// A check still without an outcome after this long is abandoned, so the copy can be queued again. It must outlast a
    /// check's longest wait for a cold copy's restore (<see cref="ColdRestoreWait"/>), or a waiting check would be abandoned.
    /// </summary>
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromDays(4);
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
    /// How often each cold copy (GLACIER, DEEP_ARCHIVE) is also restored and read in full, its digests compared with the
    /// registry's, at its first check after this long since its last full read (or since it was stored). Unset (the
    /// default): never; cold copies are checked by their S3 checksum attribute only. Each read costs a restore request and
    /// a retrieval of the whole copy at <see cref="ColdRestoreTier"/>'s price, and the check waits hours for it (docs/fixity.md).
    /// </summary>
    public TimeSpan? ColdInterval { get; set; }
    /// <summary>S3 retrieval tier of the restores fixity asks for (a cold copy's periodic read, a repair from a cold copy).</summary>
    public string ColdRestoreTier { get; set; } = "Bulk";
    /// <summary>Days a restored cold copy stays readable: long enough for the read or the repair that asked for it.</summary>
    public int ColdRestoreDays { get; set; } = 2;
    /// <summary>Wait before the first poll of a cold copy being restored; each next wait doubles, up to <see cref="ColdPollMaxInterval"/> (PostgreSQL scheduler).</summary>
    public TimeSpan ColdPollInterval { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan ColdPollMaxInterval { get; set; } = TimeSpan.FromHours(3);
    /// <summary>Polls of a cold copy being restored before the check fails (the default waits about 67 hours, past Deep Archive's Bulk 48).</summary>
    public int MaxColdPolls { get; set; } = 25;
    /// <summary>Later redeliveries (through the PostgreSQL scheduler) after the retries, before the step faults; empty turns them off.</summary>
    public TimeSpan[] RedeliveryIntervals { get; set; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1)];

    /// <summary>How the check steps read copies through the kit's <see cref="Bus.Workflows.Copies.SlicedCopyReader"/>.</summary>
    public Bus.Workflows.Copies.CopyReadSettings ReadSettings => new(AlgorithmList, ReadBufferKiB * 1024, MaxRestartsPerSlice);

    public static readonly IReadOnlyList<string> KnownRestoreTiers = ["Bulk", "Standard", "Expedited"];

    /// <summary>The wait before poll <paramref name="poll"/> (1-based) of a cold copy being restored.</summary>
    public TimeSpan ColdPollDelay(int poll) => Bus.Workflows.Copies.CopyTemperature.PollDelay(ColdPollInterval, ColdPollMaxInterval, poll);

    /// <summary>The longest a check waits for a restore: the sum of every poll's delay.</summary>
    public TimeSpan ColdRestoreWait => Enumerable.Range(1, Math.Clamp(MaxColdPolls, 0, 1_000)).Aggregate(TimeSpan.Zero, (sum, poll) => sum + ColdPollDelay(poll));

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
        if (ColdInterval is { } cold && cold < TimeSpan.FromDays(1)) yield return new(nameof(ColdInterval), $"must be at least 1 day when set: each read restores the copy (got {cold})");
        if (!KnownRestoreTiers.Contains(ColdRestoreTier)) yield return new(nameof(ColdRestoreTier), $"must be one of {string.Join(", ", KnownRestoreTiers)} (got '{ColdRestoreTier}')");
        if (ColdRestoreDays is < 1 or > 30) yield return new(nameof(ColdRestoreDays), $"must be 1-30 (got {ColdRestoreDays})");
        if (ColdPollInterval <= TimeSpan.Zero) yield return new(nameof(ColdPollInterval), "must be positive");
        if (ColdPollMaxInterval < ColdPollInterval) yield return new(nameof(ColdPollMaxInterval), $"must be at least ColdPollInterval ({ColdPollInterval})");
        if (MaxColdPolls is < 1 or > 1_000) yield return new(nameof(MaxColdPolls), $"must be 1-1000 (got {MaxColdPolls})");
        else if (ColdPollInterval > TimeSpan.Zero && ColdPollMaxInterval >= ColdPollInterval && AbandonAfter <= ColdRestoreWait)
            yield return new(nameof(AbandonAfter), $"must be longer than a check's longest wait for a cold copy's restore ({ColdRestoreWait}: MaxColdPolls polls from ColdPollInterval doubling up to ColdPollMaxInterval), or a waiting check is abandoned (got {AbandonAfter})");
    }

    public IEnumerable<string> Endpoints() => [];
}
