using Bus.Fixity.Checks;
using Bus.Workflows.Copies;
using Bus.Fixity.Consumers;
using Bus.Fixity.Copies;
using Bus.Fixity.Database;
using Bus.Fixity.Registry;
using Bus.Fixity.StateMachines;
using Bus.Fixity.Sweep;
using Bus.Platform.Coordination;
using Bus.Platform.Database;
using Bus.Platform.Messaging;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Store;
using MassTransit;
using Npgsql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bus.Fixity;

public static class FixityServices
{
    /// <summary>Options (validated at start-up), the registry, the fixity database module, the ledger, the S3 reader and the digester.</summary>
    public static IServiceCollection AddBusFixity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<FixityOptions>(configuration);
        // Another module (ingest, busctl) may have added the registry already: once is enough.
        if (!services.Any(d => d.ServiceType == typeof(RegistryDatabase))) services.AddBusRegistry();
        services.TryAddSingleton<RegistryFixityStore>();
        services.TryAddSingleton<IFixityRegistry>(sp => sp.GetRequiredService<RegistryFixityStore>());
        services.TryAddSingleton<IDueCopies>(sp => sp.GetRequiredService<RegistryFixityStore>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new FixityDatabase(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString));
        services.TryAddSingleton<CheckLedger>();
        services.TryAddSingleton<ICheckLedger>(sp => sp.GetRequiredService<CheckLedger>());
        services.AddShutdownSignal();
        services.AddCopies();
        // The item locks ingest and deletion take (TryAdd: a host running several roles shares one instance).
        services.TryAddSingleton<IItemLocks>(sp =>
            new PostgresItemLocks(NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, FixityDatabaseModule>());
        return services;
    }

    /// <summary>The periodic sweep (role "fixity").</summary>
    public static IServiceCollection AddFixitySweep(this IServiceCollection services)
    {
        services.TryAddScoped<FixitySweeper>();
        services.AddHostedService<FixitySweepService>();
        return services;
    }

    /// <summary>The check saga and its step consumers, with their own endpoints.</summary>
    public static IBusRegistrationConfigurator AddFixityCheck(this IBusRegistrationConfigurator x,
        Action<ISagaRegistrationConfigurator<FixityCheckState>>? repository = null)
    {
        var saga = x.AddSagaStateMachine<FixityCheckStateMachine, FixityCheckState, FixityCheckStateMachineDefinition>();
        repository?.Invoke(saga);
        x.AddConsumer<VerifyCopyConsumer, VerifyCopyConsumerDefinition>();
        x.AddConsumer<RepairCopyConsumer, RepairCopyConsumerDefinition>();
        x.AddConsumer<RecordCheckOutcomeConsumer, RecordCheckOutcomeConsumerDefinition>();
        return x;
    }
}
