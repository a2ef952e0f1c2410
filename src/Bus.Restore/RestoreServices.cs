using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Store;
using Bus.Restore.Data;
using Bus.Restore.StateMachines;
using Bus.Restore.Steps;
using Bus.Workflows;
using Bus.Workflows.Copies;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Bus.Restore;

public static class RestoreServices
{
    /// <summary>
    /// The restore module's services (role "restore", busctl and the API): options, the workflow kit (item locks,
    /// S3 pipeline), the registry, the restore's own tables and what its steps use. The saga and its steps are
    /// added with <see cref="AddRestoreWorkflow(IBusRegistrationConfigurator, Action{ISagaRegistrationConfigurator{RestoreState}}?)"/>.
    /// </summary>
    public static IServiceCollection AddRestoreWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<RestoreOptions>(configuration);
        services.AddWorkflowKit();
        services.AddBusRegistry();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RestorePlans(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new RestoreRecords(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new RestoreRegistry(sp.GetRequiredService<RegistryDatabase>()));
        services.TryAddSingleton<CopyTemperature>();
        services.TryAddSingleton<RestoreWriter>();
        services.TryAddSingleton<PremisEventsFile>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, RestoreDatabaseModule>());
        return services;
    }

    /// <summary>The restore saga (PostgreSQL repository unless <paramref name="repository"/> says otherwise) and its steps.</summary>
    public static IBusRegistrationConfigurator AddRestoreWorkflow(this IBusRegistrationConfigurator x,
        Action<ISagaRegistrationConfigurator<RestoreState>>? repository = null)
    {
        var saga = x.AddSagaStateMachine<RestoreStateMachine, RestoreState, RestoreStateMachineDefinition>();
        if (repository is null) saga.PostgresRepository();
        else repository(saga);
        x.AddConsumer<PrepareRestoreConsumer, PrepareRestoreConsumerDefinition>();
        x.AddConsumer<WriteRestoreConsumer, WriteRestoreConsumerDefinition>();
        return x;
    }
}
