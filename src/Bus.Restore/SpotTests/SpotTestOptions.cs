using Bus.Platform.Options;
using Bus.Registry;

namespace Bus.Restore.SpotTests;

/// <summary>
/// Restore spot test settings, in the restore section (<c>Bus:Restore:SpotTest*</c>), validated when a process starts.
/// The per-institution interval is an option map rather than a registry column: it is deployment policy an operator
/// sets with the rest of the configuration, it needs no migration of the registry, and a missing entry means the default.
/// </summary>
public sealed class SpotTestOptions : IBusOptions
{
    public string SectionName => RestoreOptions.Section;

    /// <summary>How often each institution gets a spot test; <c>00:00:00</c> turns them off (but for institutions listed in <see cref="SpotTestIntervals"/>).</summary>
    public TimeSpan SpotTestInterval { get; set; } = TimeSpan.FromDays(90);
    /// <summary>Per institution (<c>Bus:Restore:SpotTestIntervals:&lt;institution&gt;</c>): its own interval; <c>00:00:00</c> turns its spot tests off.</summary>
    public Dictionary<string, TimeSpan> SpotTestIntervals { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Largest object (sum of its active files' sizes) a spot test picks: the restore, the read-back and the validation stay short.</summary>
    public long SpotTestMaxBytes { get; set; } = 256L * 1024 * 1024;
    /// <summary>How often the scheduler role looks for institutions due a spot test.</summary>
    public TimeSpan SpotTestSweepInterval { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Wait before a host's first sweep (a restarting host does not sweep on every start).</summary>
    public TimeSpan SpotTestSweepStartDelay { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// Longest a spot test waits for its restore; then it fails with the reason and raises the alert. The default is above
    /// the restore's own bounds (item lock waits, cold polls for a Deep Archive copy), so it only ends a restore that is stuck.
    /// </summary>
    public TimeSpan SpotTestTimeout { get; set; } = TimeSpan.FromDays(7);

    public const long MaxSpotTestBytes = 16L * 1024 * 1024 * 1024;
    public static readonly TimeSpan MaxSpotTestTimeout = TimeSpan.FromDays(90);

    /// <summary>The interval of <paramref name="institution"/>: its own entry, else the default; zero means none.</summary>
    public TimeSpan IntervalFor(string institution) =>
        SpotTestIntervals.FirstOrDefault(e => string.Equals(e.Key, institution, StringComparison.OrdinalIgnoreCase)) is { Key: not null } entry
            ? entry.Value
            : SpotTestInterval;

    public IEnumerable<OptionError> Validate()
    {
        if (SpotTestInterval < TimeSpan.Zero) yield return new(nameof(SpotTestInterval), $"must not be negative; 00:00:00 turns spot tests off (got {SpotTestInterval})");
        foreach (var (institution, interval) in SpotTestIntervals)
        {
            if (Identifiers.InstitutionError(institution) is { } error) yield return new($"{nameof(SpotTestIntervals)}:{institution}", error);
            if (interval < TimeSpan.Zero) yield return new($"{nameof(SpotTestIntervals)}:{institution}", $"must not be negative; 00:00:00 turns the institution's spot tests off (got {interval})");
        }
        if (SpotTestMaxBytes is < 1 or > MaxSpotTestBytes)
            yield return new(nameof(SpotTestMaxBytes), $"must be 1-{MaxSpotTestBytes} (16 GiB): a spot test's validation reads the tar in one message (got {SpotTestMaxBytes})");
        if (SpotTestSweepInterval < TimeSpan.FromSeconds(1)) yield return new(nameof(SpotTestSweepInterval), $"must be at least 1 second (got {SpotTestSweepInterval})");
        if (SpotTestTimeout <= TimeSpan.Zero || SpotTestTimeout > MaxSpotTestTimeout)
            yield return new(nameof(SpotTestTimeout), $"must be positive and at most {MaxSpotTestTimeout.TotalDays:0} days (got {SpotTestTimeout})");
        if (SpotTestSweepStartDelay < TimeSpan.Zero) yield return new(nameof(SpotTestSweepStartDelay), $"must not be negative (got {SpotTestSweepStartDelay})");
    }

    public IEnumerable<string> Endpoints() => [];
}
