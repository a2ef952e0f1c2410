using Bus.Platform.Options;

namespace Bus.Workflows.Watchdog;

/// <summary>Bus:Watchdog: how the scheduler role's saga watchdog finds stalled sagas and what it does (docs/operations.md).</summary>
public sealed class WatchdogOptions : IBusOptions
{
    public const string Section = "Bus:Watchdog";
    public string SectionName => Section;

    /// <summary>Off: the scheduler role runs no watchdog (stalled sagas wait in bus.saga_stuck for a person).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>How often the watchdog host looks for stalled sagas.</summary>
    public int PollSeconds { get; set; } = 60;
    /// <summary>Times a stalled saga's step command is sent again in one state before a stuck-saga alert is raised instead.</summary>
    public int MaxResends { get; set; } = 3;
    /// <summary>
    /// Added to every derived limit (<see cref="StuckLimit"/>): the time a step command may wait in its queue behind
    /// others, plus outbox and scheduler delays. Raise it where queues back up for longer.
    /// </summary>
    public int MarginSeconds { get; set; } = 600;
    /// <summary>
    /// Limits that replace the derived ones, in seconds, by <c>&lt;saga type&gt;.&lt;State&gt;</c> (<c>ingest.Storing</c>)
    /// or by saga type for all its watched states (<c>ingest</c>); no margin is added to these.
    /// </summary>
    public Dictionary<string, int> LimitSeconds { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Stalled sagas handled per saga type and poll; the rest wait for the next poll.</summary>
    public int BatchSize { get; set; } = 100;

    public IEnumerable<OptionError> Validate()
    {
        if (PollSeconds is < 1 or > 3600) yield return new(nameof(PollSeconds), $"must be 1-3600 seconds (got {PollSeconds})");
        if (MaxResends is < 0 or > 20) yield return new(nameof(MaxResends), $"must be 0-20 (got {MaxResends})");
        if (MarginSeconds is < 0 or > 86400) yield return new(nameof(MarginSeconds), $"must be 0-86400 seconds (got {MarginSeconds})");
        if (BatchSize is < 1 or > 10000) yield return new(nameof(BatchSize), $"must be 1-10000 (got {BatchSize})");
        foreach (var (key, seconds) in LimitSeconds)
            if (seconds is < 1 or > 30 * 86400) yield return new($"{nameof(LimitSeconds)}:{key}", $"must be 1 second to 30 days (got {seconds})");
    }

    public IEnumerable<string> Endpoints() => [];

    /// <summary>The limit for a state: an override if configured, else the derived limit plus the margin.</summary>
    public TimeSpan LimitFor(string sagaType, string state, TimeSpan derived) =>
        LimitSeconds.TryGetValue($"{sagaType}.{state}", out var exact) ? TimeSpan.FromSeconds(exact)
        : LimitSeconds.TryGetValue(sagaType, out var forType) ? TimeSpan.FromSeconds(forType)
        : derived + TimeSpan.FromSeconds(MarginSeconds);
}
