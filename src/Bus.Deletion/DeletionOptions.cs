using Bus.Platform.Options;

namespace Bus.Deletion;

/// <summary>Bus:Deletion: how long a request waits for a decision, and how long each storage class must keep a copy.</summary>
public sealed class DeletionOptions : IBusOptions
{
    public const string Section = "Bus:Deletion";
    public string SectionName => Section;

    /// <summary>A request with no decision within this window expires (nothing is deleted).</summary>
    public TimeSpan ApprovalWindow { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// Minimum days a copy must have been stored before it may be deleted, per storage option. A key
    /// ending in <c>*</c> matches every option with that prefix (the longest matching key wins, an exact
    /// key beats any prefix). Options matched by no key have no minimum. Configured keys add to or
    /// override the defaults (configuration binding merges into a dictionary).
    /// </summary>
    public Dictionary<string, int> MinimumRetentionDays { get; set; } = new(StringComparer.Ordinal)
    {
        ["Standard"] = 0,
        ["Glacier-*"] = 90,
        ["Glacier-Deep-*"] = 180,
        ["Wasabi-*"] = 90,
    };

    /// <summary>Wait between attempts to take the item lock for an approved request that a restore made wait (WaitingForItem).</summary>
    public TimeSpan ItemLockRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Attempts to take the item lock before an approved request gives up (Expired, nothing deleted). The default
    /// (5 days at 5 minutes) outlasts a restore that waits for a Deep Archive copy.
    /// </summary>
    public int MaxItemLockWaits { get; set; } = 1440;

    /// <summary>How many times the deletion step retries a failure in-process before faulting to its error queue.</summary>
    public int StepRetryLimit { get; set; } = 3;

    /// <summary>How many times a step that exhausted its retries is redelivered later before it faults (0: fault at once).</summary>
    public int StepRedeliveryLimit { get; set; } = 3;

    /// <summary>Delay before the first redelivery; the n-th waits n times this.</summary>
    public TimeSpan StepRedeliveryDelay { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<OptionError> Validate()
    {
        if (ApprovalWindow <= TimeSpan.Zero || ApprovalWindow > TimeSpan.FromDays(365))
            yield return new(nameof(ApprovalWindow), $"must be more than zero and at most 365 days (got {ApprovalWindow})");
        foreach (var (option, days) in MinimumRetentionDays)
        {
            var key = $"{nameof(MinimumRetentionDays)}:{option}";
            if (string.IsNullOrWhiteSpace(option.TrimEnd('*')))
                yield return new(key, "must name a storage option or a prefix ending in '*'");
            else if (option.IndexOf('*', StringComparison.Ordinal) is var star && star >= 0 && star != option.Length - 1)
                yield return new(key, "may contain '*' only at the end");
            if (days is < 0 or > 36500)
                yield return new(key, $"must be 0-36500 days (got {days})");
        }
        if (ItemLockRetryDelay <= TimeSpan.Zero || ItemLockRetryDelay > TimeSpan.FromDays(1))
            yield return new(nameof(ItemLockRetryDelay), $"must be more than zero and at most 1 day (got {ItemLockRetryDelay})");
        if (MaxItemLockWaits is < 1 or > 100_000) yield return new(nameof(MaxItemLockWaits), $"must be 1-100000 (got {MaxItemLockWaits})");
        if (StepRetryLimit is < 0 or > 20) yield return new(nameof(StepRetryLimit), $"must be 0-20 (got {StepRetryLimit})");
        if (StepRedeliveryLimit is < 0 or > 20) yield return new(nameof(StepRedeliveryLimit), $"must be 0-20 (got {StepRedeliveryLimit})");
        if (StepRedeliveryDelay < TimeSpan.FromSeconds(1) || StepRedeliveryDelay > TimeSpan.FromDays(1))
            yield return new(nameof(StepRedeliveryDelay), $"must be between 1 second and 1 day (got {StepRedeliveryDelay})");
    }

    public IEnumerable<string> Endpoints() => [];

    /// <summary>The minimum retention for <paramref name="storageOption"/> (see <see cref="MinimumRetentionDays"/>).</summary>
    public TimeSpan MinimumRetention(string storageOption)
    {
        if (MinimumRetentionDays.TryGetValue(storageOption, out var exact)) return TimeSpan.FromDays(exact);
        var prefix = MinimumRetentionDays
            .Where(p => p.Key.EndsWith('*') && storageOption.StartsWith(p.Key[..^1], StringComparison.Ordinal))
            .OrderByDescending(p => p.Key.Length)
            .Select(p => (int?)p.Value)
            .FirstOrDefault();
        return TimeSpan.FromDays(prefix ?? 0);
    }
}
