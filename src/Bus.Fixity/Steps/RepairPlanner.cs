using Bus.Fixity.Data;
using Bus.Contracts.Fixity;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Fixity.Steps;

/// <summary>A sibling copy and what reading it just now showed.</summary>
public sealed record CandidateCopy(RegisteredCopy Copy, string Condition);

/// <summary>Either the copy to repair from, or why there is none.</summary>
public sealed record RepairDecision(RegisteredCopy? Source, string? LostReason)
{
    public bool IsLost => Source is null;
}

/// <summary>
/// Chooses the repair source: only a hot copy that verified now, never the damaged copy itself (same
/// bucket and key), first in the order given (the registry lists copies by bucket). No such
/// copy means Lost: nothing may be overwritten, because a bad copy over a bad copy destroys evidence.
/// </summary>
public static class RepairPlanner
{
    public static RepairDecision Decide(RegisteredCopy damaged, IReadOnlyList<CandidateCopy> candidates)
    {
        var intact = candidates.Where(c => c.Condition == CopyConditions.Intact
            && !(c.Copy.Bucket == damaged.Bucket && c.Copy.Key == damaged.Key)).ToList();
        // A cold copy cannot be read before a restore, and repair through a restore is not implemented yet.
        var source = intact.FirstOrDefault(c => !c.Copy.IsCold);
        if (source is not null) return new RepairDecision(source.Copy, null);
        var reason = candidates.Count == 0
            ? "no other copy is registered"
            : intact.Count > 0
                ? "only a cold copy verifies (" + string.Join(", ", intact.Select(c => $"{c.Copy.Bucket}/{c.Copy.Key} {c.Copy.StorageClass}")) +
                  "): repair from a cold copy needs a restore, which fixity does not do yet"
                : "no other copy verifies: " + string.Join(", ", candidates.Select(c => $"{c.Copy.Bucket}/{c.Copy.Key} {c.Condition}"));
        return new RepairDecision(null, reason);
    }
}
