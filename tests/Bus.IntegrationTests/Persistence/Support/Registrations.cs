using MassTransit;

namespace Bus.IntegrationTests.Persistence.Support;

public static class Registrations
{
    /// <summary>The conformance saga on the PostgreSQL repository, on a queue of its own (deleted by the test).</summary>
    public static void AddConformanceSaga(this IBusRegistrationConfigurator x, string queue,
        Action<Bus.Persistence.Sagas.PostgresSagaRepositoryOptions>? repository = null) =>
        x.AddSagaStateMachine<ConformanceStateMachine, ConformanceState, ConformanceSagaDefinition>()
            .PostgresRepository(repository)
            .Endpoint(e => Named(e, queue));

    public static void AddTestConsumer<TConsumer, TDefinition>(this IBusRegistrationConfigurator x, string queue)
        where TConsumer : class, IConsumer
        where TDefinition : class, IConsumerDefinition<TConsumer> =>
        x.AddConsumer<TConsumer, TDefinition>().Endpoint(e => Named(e, queue));

    private static void Named(IEndpointRegistrationConfigurator e, string queue)
    {
        e.Name = queue;
        e.ConfigureConsumeTopology = false;
    }

    public static Task<ConformanceState?> LoadSagaAsync(Guid id) =>
        TestDatabase.QueryAsync(
            $"SELECT current_state, counter FROM bus.{ConformanceStateMap.Table} WHERE correlation_id = @id",
            r => new ConformanceState { CorrelationId = id, CurrentState = r.GetString(0), Counter = r.GetInt32(1) }, ("id", id))
            .ContinueWith(t => t.Result.SingleOrDefault());

    public static Task<long> SagaRowsAsync(Guid id) =>
        TestDatabase.CountAsync($"SELECT count(*) FROM bus.{ConformanceStateMap.Table} WHERE correlation_id = @id", ("id", id));
}
