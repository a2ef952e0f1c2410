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
        if (options.TransientRetryLimit > 0)
        {
            configurator.UseMessageRetry(r =>
            {
                r.Handle<DatabaseTransientException>();
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
