namespace Bus.WebConsole.Models;

public sealed record StateCount(string State, long Count);

public sealed record InstitutionHoldings(string Institution, long Objects, long Bytes);

public sealed record ErrorQueueCount(string Queue, long Messages);

/// <summary>What the dashboard shows, already filtered to the viewer.</summary>
public sealed record Dashboard(
    IReadOnlyList<StateCount> InFlight,
    IReadOnlyList<StateCount> LastDay,
    IReadOnlyList<InstitutionHoldings> Holdings,
    long OpenAlerts,
    long Stuck,
    IReadOnlyList<ErrorQueueCount>? ErrorQueues,
    string? ErrorQueuesUnavailable)
{
    /// <summary>The windows the counts were taken over (Bus:Console), for the page's words.</summary>
    public TimeSpan StuckAfter { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan RecentWindow { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan Refresh { get; init; } = TimeSpan.FromSeconds(15);
}
