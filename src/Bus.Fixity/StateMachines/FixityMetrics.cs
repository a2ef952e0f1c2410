using Bus.Persistence.Sagas;
using Bus.Platform.Telemetry;

namespace Bus.Fixity.StateMachines;

/// <summary>
/// Counts checks started, from committed transitions into Verifying (a first request, or a new one after a
/// fault). Their outcomes are counted where they are recorded (<c>RecordCheckOutcomeConsumer</c>): the saga
/// ends most checks by finalizing, where the state alone does not say how.
/// </summary>
internal static class FixityMetrics
{
    public static void Observe() => CommittedTransitions<FixityCheckState>.Observe(Transitioned);

    private static void Transitioned(FixityCheckState check, string? from, string to)
    {
        if (to == "Verifying" && from != "Verifying") BusMetrics.Fixity.Started();
    }

    public static void Finished(string outcome)
    {
        BusMetrics.Fixity.Finished(outcome);
        if (outcome == Bus.Contracts.Fixity.FixityOutcomes.Repaired) BusMetrics.FixityRepairs.Add(1);
        if (outcome == Bus.Contracts.Fixity.FixityOutcomes.Lost) BusMetrics.FixityLost.Add(1);
    }
}
