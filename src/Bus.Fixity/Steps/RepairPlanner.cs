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
/// Chooses the repair source: only a copy that verified now, never the damaged copy itself (same bucket and key);
/// a hot one first (it is read at once), else a cold one whose S3 checksum matches (the repair restores it and reads
/// it in full before copying from it), first in the order given (the registry lists copies by bucket). No such copy
/// means Lost: nothing may be overwritten, because a bad copy over a bad copy destroys evidence.
/// </summary>
public static class RepairPlanner
{
    public static RepairDecision Decide(RegisteredCopy damaged, IReadOnlyList<CandidateCopy> candidates)
    {
        var intact = candidates.Where(c => c.Condition == CopyConditions.Intact
            && !(c.Copy.Bucket == damaged.Bucket && c.Copy.Key == damaged.Key)).ToList();
        var source = intact.FirstOrDefault(c => !c.Copy.IsCold) ?? intact.FirstOrDefault();
        if (source is not null) return new RepairDecision(source.Copy, null);
        var reason = candidates.Count == 0
            ? "no other copy is registered"
            : "no other copy verifies: " + string.Join(", ", candidates.Select(c => $"{c.Copy.Bucket}/{c.Copy.Key} {c.Condition}"));
        return new RepairDecision(null, reason);
    }
}
