using Bus.Persistence.Sagas;
using MassTransit.Saga;
using MassTransit.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In MassTransit's namespace so the one-liner needs no extra using beside the saga registration.
namespace MassTransit;

public static class PostgresSagaRegistration
{
    /// <summary>
    /// Persists the saga in its PostgreSQL table (found through the saga's <see cref="SagaMap{TSaga}"/>):
    /// <code>x.AddSagaStateMachine&lt;IngestStateMachine, IngestState, IngestSagaDefinition&gt;().PostgresRepository();</code>
    /// The endpoint joins the outbox transaction when its definition calls <c>UsePostgresOutbox</c>.
    /// </summary>
    public static ISagaRegistrationConfigurator<TSaga> PostgresRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> configurator,
        Action<PostgresSagaRepositoryOptions>? configure = null)
        where TSaga : class, SagaStateMachineInstance
    {
        var options = new PostgresSagaRepositoryOptions();
        configure?.Invoke(options);
        return configurator.Repository(r =>
        {
            r.TryAddSingleton(new PostgresSagaSettings<TSaga>(options.ConcurrencyMode));
            r.AddSingleton(new PostgresSagaType(TypeCache<TSaga>.ShortName));
            r.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>, PostgresSagaRepositoryContextFactory<TSaga>>();
            r.RegisterLoadSagaRepository<TSaga, PostgresSagaRepositoryContextFactory<TSaga>>();
            r.RegisterQuerySagaRepository<TSaga, PostgresSagaRepositoryContextFactory<TSaga>>();
        });
    }
}
