using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Workflows.Watchdog.Data;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bus.Workflows.Watchdog;

public static class WatchdogServices
{
    /// <summary>The watchdog's tables (every process that migrates or runs steps needs them): added by the workflow kit.</summary>
    public static IServiceCollection AddWatchdogTables(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDatabaseModule, WatchdogDatabaseModule>());
        return services;
    }

    /// <summary>
    /// The saga watchdog (role "scheduler"): its options, the registry for its alerts and the background service.
    /// Each workflow module adds what it knows of its sagas with <see cref="AddSagaWatch{TSaga}"/>.
    /// </summary>
    public static IServiceCollection AddSagaWatchdog(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ImplementationType == typeof(SagaWatchdog))) return services;
        services.AddBusOptions<WatchdogOptions>(configuration);
        services.AddBusDataSource();
        services.AddWatchdogTables();
        services.AddBusRegistry();
        services.AddHostedService<SagaWatchdog>();
        return services;
    }

    /// <summary>What the watchdog knows of one saga type; registered once however many roles ask.</summary>
    public static IServiceCollection AddSagaWatch<TSaga>(this IServiceCollection services, Func<IServiceProvider, SagaWatch<TSaga>> watch)
        where TSaga : class, SagaStateMachineInstance
    {
        if (services.Any(d => d.ServiceType == typeof(SagaWatch<TSaga>))) return services;
        services.AddSingleton(watch);
        services.AddSingleton<ISagaWatch>(sp => sp.GetRequiredService<SagaWatch<TSaga>>());
        return services;
    }
}
