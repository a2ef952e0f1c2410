using Bus.Fixity.StateMachines.Messages;
namespace Bus.Fixity;

/// <summary>Queue names of the fixity endpoints (fixed, because senders address them directly).</summary>
public static class FixityEndpoints
{
    public const string Check = "fixity-check";
    public const string VerifyCopy = "fixity-verify-copy";
    public const string RepairCopy = "fixity-repair-copy";
    public const string RecordOutcome = "fixity-record-outcome";
}
