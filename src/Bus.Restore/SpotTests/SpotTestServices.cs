using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Store;
using Bus.Workflows;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Bus.Restore.SpotTests;

public static class SpotTestServices
{
    /// <summary>
    /// What spot tests need in any process that runs or reads them (role "restore", the scheduler's sweep, busctl):
    /// options, the records, the registry reads. The saga and its steps are added with
    /// <see cref="AddSpotTestWorkflow(IBusRegistrationConfigurator)"/>; the sweep with <see cref="AddSpotTestSweep"/>.
    /// </summary>
    public static IServiceCollection AddSpotTestRecords(this IServiceCollection services, IConfiguration configuration)
    {
        // Both the restore and the scheduler role add these: once per process, or options would be validated twice.
        if (services.Any(d => d.ServiceType == typeof(SpotTestRecords))) return services;
        services.AddBusOptions<SpotTestOptions>(configuration);
        services.AddWorkflowKit();
        services.AddBusRegistry();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SpotTestRecords(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new SpotTestRegistry(sp.GetRequiredService<RegistryDatabase>()));
        services.TryAddSingleton<ISpotTestRegistry>(sp => sp.GetRequiredService<SpotTestRegistry>());
        return services;
    }

    /// <summary>The periodic sweep (a hosted service): the scheduler role runs it.</summary>
    public static IServiceCollection AddSpotTestSweep(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSpotTestRecords(configuration);
        services.TryAddScoped<SpotTestSweep>();
        services.AddHostedService<SpotTestSweepService>();
        return services;
    }

    /// <summary>The spot test saga (PostgreSQL repository unless <paramref name="repository"/> says otherwise) and its steps.</summary>
    public static IBusRegistrationConfigurator AddSpotTestWorkflow(this IBusRegistrationConfigurator x,
        Action<ISagaRegistrationConfigurator<SpotTestState>>? repository = null)
    {
        var saga = x.AddSagaStateMachine<SpotTestStateMachine, SpotTestState, SpotTestStateMachineDefinition>();
        if (repository is null) saga.PostgresRepository();
        else repository(saga);
        x.AddConsumer<ValidateSpotTestConsumer, ValidateSpotTestConsumerDefinition>();
        x.AddConsumer<FinishSpotTestConsumer, FinishSpotTestConsumerDefinition>();
        return x;
    }
}
