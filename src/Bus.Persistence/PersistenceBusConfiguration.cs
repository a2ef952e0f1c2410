using Bus.Persistence.Scheduling;
using Bus.Persistence.Transactions;
using Bus.Platform.Options;
using MassTransit.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Bus.Persistence;

// In MassTransit's namespace so bus and endpoint configuration find these without extra usings.
namespace MassTransit;

public static class PersistenceBusConfiguration
{
    /// <summary>
    /// Bus-wide: the PostgreSQL message scheduler (Schedule/Unschedule, request timeouts,
    /// UseScheduledRedelivery) and immediate retry of transient database errors on every endpoint.
    /// </summary>
    public static void UseBusPersistence(this IBusFactoryConfigurator configurator, IRegistrationContext context)
    {
        var dataSource = context.GetRequiredService<NpgsqlDataSource>();
        var options = context.GetRequiredService<IOptions<PersistenceOptions>>().Value;
        var virtualHost = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value.VirtualHost;
        configurator.UseFilter(new PostgresMessageSchedulerFilter(dataSource, virtualHost));
        configurator.UseDatabaseRetries(options);
    }

    /// <summary>
    /// Two retries of a message that met the database in trouble, for two kinds of trouble (each error is one
    /// policy's: the first retry filter that takes a message's error owns its retries, and a second one that also
    /// handled it would never see it). Contention (deadlock, serialization, insert race): quick retries, spent in
    /// about five seconds. The database unavailable (a PostgreSQL restart or crash; seen in make bench-chaos, where
    /// messages consumed during one went to <c>_error</c> after the quick retries): slower ones for up to
    /// <see cref="PersistenceOptions.DatabaseOutageRetrySeconds"/>.
    /// </summary>
    public static void UseDatabaseRetries(this IConsumePipeConfigurator configurator, PersistenceOptions options)
    {
        var waitForOutages = options.DatabaseOutageRetryIntervals is { Count: > 0 };
        if (waitForOutages)
        {
            configurator.UseMessageRetry(r =>
            {
                r.Handle<Exception>(TransientDatabaseErrors.IsUnavailable);
                r.Intervals([.. options.DatabaseOutageRetryIntervals]);
            });
        }
        if (options.TransientRetryLimit > 0)
        {
            configurator.UseMessageRetry(r =>
            {
                r.Handle<DatabaseTransientException>(e => !waitForOutages || !TransientDatabaseErrors.IsUnavailable(e));
                r.Exponential(options.TransientRetryLimit, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(25));
            });
        }
    }

    /// <summary>
    /// Endpoint: run every consumer and saga on it inside one PostgreSQL transaction per message, with
    /// the inbox (a redelivered message is skipped) and the outbox (sends and publishes are stored in the
    /// transaction and delivered after commit). Call from the consumer's or saga's definition.
    /// </summary>
    public static void UsePostgresOutbox(this IReceiveEndpointConfigurator configurator, IRegistrationContext context)
    {
        var observer = new OutboxConsumePipeSpecificationObserver<MessageTransaction>(configurator, context);
        configurator.ConnectConsumerConfigurationObserver(observer);
        configurator.ConnectSagaConfigurationObserver(observer);
    }

    /// <summary>
    /// The consume context whose publishes and sends go straight to the broker, not into the message's
    /// transactional outbox: for reports that must be seen while the consumer still runs, and also for an
    /// attempt that rolls back (progress, "step started"). Anything a decision depends on goes through the
    /// outbox. Outside an outbox it is the context itself.
    /// </summary>
    public static ConsumeContext OutsideOutbox(this ConsumeContext context) =>
        context.TryGetPayload<global::Bus.Persistence.Outbox.TransportConsumeContext>(out var transport) ? transport.Context
        : context is MassTransit.Middleware.OutboxConsumeContext outbox ? outbox.CapturedContext
        : context;
}
