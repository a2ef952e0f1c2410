using Bus.Fixity.Steps;
using Bus.Workflows.Copies;
using Bus.Fixity.Data;
using Bus.Fixity.StateMachines;
using Bus.Fixity.Sweep;
using Bus.Workflows.Coordination;
using Bus.Platform.Database;
using Bus.Platform.Messaging;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Store;
using Bus.Workflows;
using MassTransit;
using Npgsql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;

namespace Bus.Fixity;

public static class FixityServices
{
    /// <summary>
    /// The fixity module's services (role "fixity", and busctl): options (validated at start-up), the workflow
    /// kit, the registry, the fixity database module, the ledger, the S3 reader, the digester and the periodic
    /// sweep (a hosted service: it runs only in a host). The check saga and its steps are added with
    /// <see cref="AddFixityWorkflow(IBusRegistrationConfigurator, Action{ISagaRegistrationConfigurator{FixityCheckState}}?)"/>.
    /// </summary>
    public static IServiceCollection AddFixityWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        FixityMetrics.Observe();
        services.AddFixityRecords(configuration);
        services.TryAddScoped<FixitySweeper>();
        services.AddHostedService<FixitySweepService>();
        return services;
    }

    /// <summary>
    /// What reads and starts checks without running the workflow (the API role): everything of
    /// <see cref="AddFixityWorkflow(IServiceCollection, IConfiguration)"/> but the sweep, which must run only in role "fixity".
    /// </summary>
    public static IServiceCollection AddFixityRecords(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<FixityOptions>(configuration);
        services.AddWorkflowKit();
        services.AddBusRegistry();
        services.TryAddSingleton<RegistryFixityStore>();
        services.TryAddSingleton<IFixityRegistry>(sp => sp.GetRequiredService<RegistryFixityStore>());
        services.TryAddSingleton<IDueCopies>(sp => sp.GetRequiredService<RegistryFixityStore>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FixityDatabase>();
        services.TryAddSingleton<CheckLedger>();
        services.TryAddSingleton<ICheckLedger>(sp => sp.GetRequiredService<CheckLedger>());
        services.TryAddSingleton<IColdReads, ColdReads>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, FixityDatabaseModule>());
        return services;
    }

    /// <summary>The check saga (PostgreSQL repository unless <paramref name="repository"/> says otherwise) and its step consumers, with their own endpoints.</summary>
    public static IBusRegistrationConfigurator AddFixityWorkflow(this IBusRegistrationConfigurator x,
        Action<ISagaRegistrationConfigurator<FixityCheckState>>? repository = null)
    {
        var saga = x.AddSagaStateMachine<FixityCheckStateMachine, FixityCheckState, FixityCheckStateMachineDefinition>();
        if (repository is null) saga.PostgresRepository();
        else repository(saga);
        x.AddConsumer<VerifyCopyConsumer, VerifyCopyConsumerDefinition>();
        x.AddConsumer<RepairCopyConsumer, RepairCopyConsumerDefinition>();
        x.AddConsumer<RecordCheckOutcomeConsumer, RecordCheckOutcomeConsumerDefinition>();
        return x;
    }
}
