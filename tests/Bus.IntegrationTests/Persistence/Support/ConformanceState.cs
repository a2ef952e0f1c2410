using MassTransit;

namespace Bus.IntegrationTests.Persistence.Support;

public sealed class ConformanceState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    /// <summary>How many Started/Incremented events were applied: lost updates show here.</summary>
    public int Counter { get; set; }
    public Guid? TimeoutTokenId { get; set; }
    /// <summary>Set at start; what <see cref="SagaBatchClosed"/> finds instances by.</summary>
    public Guid? Batch { get; set; }
}
