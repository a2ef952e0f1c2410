using Bus.Contracts.Fixity;

namespace Bus.Fixity.Data;

/// <summary>Where check outcomes are kept for operators (<c>fixity.checks</c>).</summary>
public interface ICheckLedger
{
    Task CompleteAsync(FixityCheckCompleted completed, CancellationToken cancellationToken);
}

/// <summary>A copy to start a check for.</summary>
public sealed record CheckRequest(long StorageRecordId, string FileIdentifier, string Bucket);

/// <summary>One row of <c>fixity.checks</c>.</summary>
public sealed record CheckRow(
    Guid CheckId, long StorageRecordId, string FileIdentifier, string Bucket, string RequestedBy, DateTimeOffset RequestedAt,
    string? Outcome, string? Detail, DateTimeOffset? CompletedAt);

/// <summary>One row of <c>fixity.sweep_runs</c>.</summary>
public sealed record SweepRun(Guid Id, string Host, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset CheckedBefore, int Claimed, int Queued, string? Error);

public sealed record FixityStatus(int InFlight, int FailedLastDay, int LostLastDay, int RepairedLastDay, int IntactLastDay, SweepRun? LastSweep, IReadOnlyList<CheckRow> RecentFailures);
