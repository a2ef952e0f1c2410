using MassTransit;

namespace Bus.IntegrationTests.Persistence.Support;

/// <summary>A saga small enough to read at a glance, with every repository path: initiate, update, schedule, finalize-free.</summary>
public sealed class ConformanceStateMachine : MassTransitStateMachine<ConformanceState>
{
    public ConformanceStateMachine()
    {
        InstanceState(x => x.CurrentState);

        // Started takes MassTransit's pre-insert path (insert-if-absent, then lock); Incremented the
        // add-after path (insert ON CONFLICT DO NOTHING, the loser retries): both initiate.
        Event(() => Started, x =>
        {
            x.CorrelateById(m => m.Message.SagaId);
            x.InsertOnInitial = true;
            x.SetSagaFactory(c => new ConformanceState { CorrelationId = c.Message.SagaId });
        });
        Event(() => Incremented, x => x.CorrelateById(m => m.Message.SagaId));
        Event(() => TimeoutArmed, x => x.CorrelateById(m => m.Message.SagaId));
        Event(() => BatchClosed, x => x.CorrelateBy((saga, m) => saga.Batch == m.Message.Batch));
        Schedule(() => Timeout, x => x.TimeoutTokenId, s =>
        {
            s.Delay = TimeSpan.FromSeconds(1);
            s.Received = r => r.CorrelateById(m => m.Message.SagaId);
        });

        Initially(
            When(Started).Then(c => { c.Saga.Counter++; c.Saga.Batch = c.Message.Batch; }).TransitionTo(Active),
            When(Incremented).Then(c => c.Saga.Counter++).TransitionTo(Active));

        During(Active,
            When(Started).Then(c => c.Saga.Counter++),
            When(Incremented).Then(c => c.Saga.Counter++),
            When(TimeoutArmed).Schedule(Timeout, c => new SagaTimedOut(c.Saga.CorrelationId)).TransitionTo(Waiting),
            When(BatchClosed).TransitionTo(Closed));

        During(Waiting,
            When(Timeout!.Received).TransitionTo(TimedOut));
    }

    public State Active { get; private set; } = null!;
    public State Waiting { get; private set; } = null!;
    public State TimedOut { get; private set; } = null!;
    public State Closed { get; private set; } = null!;

    public Event<SagaStarted> Started { get; private set; } = null!;
    public Event<SagaIncremented> Incremented { get; private set; } = null!;
    public Event<SagaTimeoutArmed> TimeoutArmed { get; private set; } = null!;
    public Event<SagaBatchClosed> BatchClosed { get; private set; } = null!;
    public Schedule<ConformanceState, SagaTimedOut> Timeout { get; private set; } = null!;
}
