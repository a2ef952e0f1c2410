using MassTransit;

namespace Bus.Benchmarks.Saga;

/// <summary>The command every realistic event sends through the saga's outbox; a sink consumer counts its delivery.</summary>
public sealed record BenchCommand(Guid SagaId, int Counter);

/// <summary>
/// What a workflow step costs the saga in production: every event changes state (Odd and Even take
/// turns), so every event writes a transition row, and sends one command, which goes through the
/// outbox and is delivered. The light <see cref="BenchStateMachine"/> does none of that.
/// </summary>
public sealed class RealisticBenchStateMachine : MassTransitStateMachine<BenchState>
{
    public static Uri Sink { get; set; } = new("queue:bench-saga-sink");

    public RealisticBenchStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Happened, x => x.CorrelateById(m => m.Message.SagaId));
        Initially(When(Happened).Then(c => c.Saga.Counter++).Send(_ => Sink, c => new BenchCommand(c.Saga.CorrelationId, c.Saga.Counter)).TransitionTo(Odd));
        During(Odd, When(Happened).Then(c => c.Saga.Counter++).Send(_ => Sink, c => new BenchCommand(c.Saga.CorrelationId, c.Saga.Counter)).TransitionTo(Even));
        During(Even, When(Happened).Then(c => c.Saga.Counter++).Send(_ => Sink, c => new BenchCommand(c.Saga.CorrelationId, c.Saga.Counter)).TransitionTo(Odd));
    }

    public State Odd { get; private set; } = null!;
    public State Even { get; private set; } = null!;
    public Event<BenchEvent> Happened { get; private set; } = null!;
}

/// <summary>Receives the realistic saga's commands; the benchmark's clock stops when the last one is consumed.</summary>
public sealed class BenchCommandConsumer : IConsumer<BenchCommand>
{
    public Task Consume(ConsumeContext<BenchCommand> context) => Task.CompletedTask;
}
