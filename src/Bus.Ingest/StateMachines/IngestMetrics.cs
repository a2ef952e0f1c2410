using Bus.Persistence.Sagas;
using Bus.Platform.Telemetry;

namespace Bus.Ingest.StateMachines;

/// <summary>Counts ingests started and finished (by outcome) and the payload of completed ones, from committed transitions.</summary>
internal static class IngestMetrics
{
    private static readonly Dictionary<string, string> Outcomes = new(StringComparer.Ordinal)
    {
        ["Completed"] = "completed", ["Rejected"] = "rejected", ["Failed"] = "failed", ["Cancelled"] = "cancelled",
    };

    public static void Observe() => CommittedTransitions<IngestState>.Observe(Transitioned);

    private static void Transitioned(IngestState ingest, string? from, string to)
    {
        // A new instance is reported entering Initial (from no state) once, before its first real transition.
        if (from is null) BusMetrics.Ingest.Started();
        if (!Outcomes.TryGetValue(to, out var outcome) || from == to) return;
        BusMetrics.Ingest.Finished(outcome);
        if (outcome != "completed") return;
        BusMetrics.IngestBytes.Add(ingest.Bytes);
        BusMetrics.IngestFiles.Add(ingest.FileCount);
    }
}
