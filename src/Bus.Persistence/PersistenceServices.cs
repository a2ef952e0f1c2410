using Bus.Persistence.Database;
using Bus.Persistence.Maintenance;
using Bus.Persistence.Outbox;
using Bus.Persistence.Sagas;
using Bus.Persistence.Scheduling;
using Bus.Persistence.Transactions;
using Bus.Platform.Database;
using Bus.Platform.Options;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Persistence;

public static class PersistenceServices
{
    /// <summary>
    /// What every process that consumes with sagas or the outbox needs: options, the data source, the
    /// per-message transaction, the outbox, outbox delivery (unless <c>DeliverOutbox</c> is off) and the
    /// optional start-up migration. Call before AddBusMessaging so migration runs before the bus starts.
    /// </summary>
    public static IServiceCollection AddBusPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<PersistenceOptions>(configuration);
        services.AddBusDataSource();
        services.TryAddScoped<MessageTransaction>();
        services.TryAddSingleton<PostgresSagaTypes>();
        services.TryAddScoped<IOutboxContextFactory<MessageTransaction>, PostgresOutboxContextFactory>();
        services.TryAddSingleton<OutboxNotification>();
        services.AddDatabaseModule<PersistenceDatabaseModule>();
        // For code outside consumers (APIs, tools): schedules straight into bus.scheduled_message.
        services.TryAddSingleton<IMessageScheduler>(sp =>
        {
            var bus = sp.GetRequiredService<IBus>();
            var virtualHost = sp.GetRequiredService<IOptions<RabbitMqOptions>>().Value.VirtualHost;
            return new MessageScheduler(new PostgresScheduleMessageProvider(null, bus, sp.GetRequiredService<NpgsqlDataSource>(), virtualHost), bus.Topology);
        });
        services.AddHostedService<MigrateAtStartup>();
        services.AddHostedService<OutboxDeliveryService>();
        return services;
    }

    /// <summary>Role "scheduler": sends due scheduled messages and cleans old inbox/outbox rows.</summary>
    public static IServiceCollection AddBusScheduler(this IServiceCollection services)
    {
        services.AddHostedService<ScheduledMessagePoller>();
        services.AddHostedService<PersistenceCleanupService>();
        return services;
    }

    /// <summary>Only the database module (for <c>busctl db migrate</c>).</summary>
    public static IServiceCollection AddPersistenceDatabase(this IServiceCollection services) => services.AddDatabaseModule<PersistenceDatabaseModule>();

    private static IServiceCollection AddDatabaseModule<T>(this IServiceCollection services) where T : class, IDatabaseModule
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, T>());
        return services;
    }
}
