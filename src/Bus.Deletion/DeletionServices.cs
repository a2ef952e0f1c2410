using Bus.Deletion.Checks;
using Bus.Deletion.Consumers;
using Bus.Deletion.Database;
using Bus.Deletion.Registry;
using Bus.Registry;
using Bus.Registry.Store;
using Bus.Deletion.StateMachines;
using Bus.Deletion.Storage;
using Bus.Platform.Coordination;
using Bus.Platform.Database;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Deletion;

public static class DeletionServices
{
    /// <summary>Options, checks and the deletion module's database; <see cref="AddDeletionStorage"/> adds the real stores.</summary>
    public static IServiceCollection AddBusDeletion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<DeletionOptions>(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<RequestChecks>();
        services.AddScoped<DecisionChecks>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, DeletionDatabaseModule>());
        return services;
    }

    /// <summary>The PostgreSQL item locks and S3 copies the deletion step works on.</summary>
    public static IServiceCollection AddDeletionStorage(this IServiceCollection services)
    {
        services.TryAddSingleton<IItemLocks>(sp =>
            new PostgresItemLocks(NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString)));
        services.TryAddSingleton<IStorageCopies, S3StorageCopies>();
        services.TryAddSingleton<IApprovedDeletions>(sp =>
            new PostgresApprovedDeletions(NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString)));
        return services;
    }

    /// <summary>
    /// Everything role "deletion" needs in a host: options and checks, the registry adapter, item
    /// locks, S3, and the PostgreSQL outbox and scheduled redelivery on the deletion endpoints.
    /// </summary>
    public static IServiceCollection AddDeletionRole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusDeletion(configuration).AddDeletionStorage().AddDeletionRegistry();
        services.TryAddSingleton(DeletionEndpointOutbox.Postgres);
        return services;
    }

    /// <summary>The registry adapter (and the registry itself unless another module added it).</summary>
    public static IServiceCollection AddDeletionRegistry(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(RegistryDatabase))) services.AddBusRegistry();
        services.TryAddSingleton<IDeletionRegistry, RegistryDeletionRegistry>();
        return services;
    }

    /// <summary>The deletion saga and its deletion step. <paramref name="repository"/> picks the saga repository.</summary>
    public static void AddDeletionSagas(this IBusRegistrationConfigurator x, Action<ISagaRegistrationConfigurator<DeletionState>> repository)
    {
        repository(x.AddSagaStateMachine<DeletionStateMachine, DeletionState, DeletionStateDefinition>());
        x.AddConsumer<DeleteItemConsumer, DeleteItemConsumerDefinition>();
    }
}
