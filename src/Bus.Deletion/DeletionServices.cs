using Bus.Deletion.Data;
using Bus.Deletion.StateMachines;
using Bus.Deletion.Steps;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Workflows;
using Bus.Workflows.Copies;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bus.Deletion;

public static class DeletionServices
{
    /// <summary>
    /// The deletion module's services (role "deletion", and busctl): options and checks, the workflow kit
    /// (item locks among it), the deletion module's database, the registry adapter and the S3 copies the
    /// deletion step removes. The saga and its step are added with
    /// <see cref="AddDeletionWorkflow(IBusRegistrationConfigurator, Action{ISagaRegistrationConfigurator{DeletionState}}?)"/>.
    /// </summary>
    public static IServiceCollection AddDeletionWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        DeletionMetrics.Observe();
        services.AddBusOptions<DeletionOptions>(configuration);
        services.AddWorkflowKit();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<RequestChecks>();
        services.TryAddScoped<DecisionChecks>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, DeletionDatabaseModule>());
        services.AddBusRegistry();
        services.TryAddSingleton<IApprovedDeletions, PostgresApprovedDeletions>();
        services.TryAddSingleton<IDeletionRegistry, RegistryDeletionRegistry>();
        return services;
    }

    /// <summary>The deletion saga (PostgreSQL repository unless <paramref name="repository"/> says otherwise) and its deletion step.</summary>
    public static IBusRegistrationConfigurator AddDeletionWorkflow(this IBusRegistrationConfigurator x,
        Action<ISagaRegistrationConfigurator<DeletionState>>? repository = null)
    {
        var saga = x.AddSagaStateMachine<DeletionStateMachine, DeletionState, DeletionStateDefinition>();
        if (repository is null) saga.PostgresRepository();
        else repository(saga);
        x.AddConsumer<DeleteItemConsumer, DeleteItemConsumerDefinition>();
        return x;
    }
}
