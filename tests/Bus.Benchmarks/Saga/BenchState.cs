using Bus.Persistence.Sagas;
using MassTransit;

namespace Bus.Benchmarks.Saga;

public sealed class BenchState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public int Counter { get; set; }
}

public sealed class BenchStateMap : SagaMap<BenchState>
{
    public const string Table = "bench_saga";
    public override string TableName => Table;
}

public sealed record BenchEvent(Guid SagaId);

/// <summary>One event type that creates the instance and then counts on it: every message is a load, change and save.</summary>
public sealed class BenchStateMachine : MassTransitStateMachine<BenchState>
{
    public BenchStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Happened, x => x.CorrelateById(m => m.Message.SagaId));
        Initially(When(Happened).Then(c => c.Saga.Counter++).TransitionTo(Active));
        During(Active, When(Happened).Then(c => c.Saga.Counter++));
    }

    public State Active { get; private set; } = null!;
    public Event<BenchEvent> Happened { get; private set; } = null!;
}

public sealed class PostgresBenchDefinition : SagaDefinition<BenchState>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<BenchState> sagaConfigurator,
        IRegistrationContext context)
    {
        SagaBenchmark.Configure(endpointConfigurator);
        endpointConfigurator.UsePostgresOutbox(context);
    }
}

public sealed class InMemoryBenchDefinition : SagaDefinition<BenchState>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<BenchState> sagaConfigurator,
        IRegistrationContext context) => SagaBenchmark.Configure(endpointConfigurator);
}
