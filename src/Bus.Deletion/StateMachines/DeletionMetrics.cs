using Bus.Persistence.Sagas;
using Bus.Platform.Telemetry;

namespace Bus.Deletion.StateMachines;

/// <summary>Counts deletion requests started and finished (by outcome), from committed transitions.</summary>
internal static class DeletionMetrics
{
    private static readonly Dictionary<string, string> Outcomes = new(StringComparer.Ordinal)
    {
        ["Completed"] = "completed", ["Rejected"] = "rejected", ["Cancelled"] = "cancelled", ["Expired"] = "expired", ["Refused"] = "refused",
    };

    public static void Observe() => CommittedTransitions<DeletionState>.Observe(Transitioned);

    private static void Transitioned(DeletionState deletion, string? from, string to)
    {
        // A new instance is reported entering Initial (from no state) once, before its first real transition.
        if (from is null) BusMetrics.Deletion.Started();
        if (Outcomes.TryGetValue(to, out var outcome) && from != to) BusMetrics.Deletion.Finished(outcome);
    }
}
