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
    string? ErrorQueuesUnavailable);
