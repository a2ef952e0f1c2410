using Bus.Platform.Database;
using Bus.Workflows.Coordination;
using Bus.Workflows.Copies;
using Bus.Workflows.Steps;
using Bus.Workflows.Watchdog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bus.Workflows;

public static class WorkflowKitServices
{
    /// <summary>
    /// What every workflow's steps share, once per process whichever workflows it runs: the database's
    /// one data source, the item locks, the shutdown signal their time slices watch and the S3 pipeline
    /// (one circuit breaker for the process).
    /// </summary>
    public static IServiceCollection AddWorkflowKit(this IServiceCollection services)
    {
        services.AddBusDataSource();
        services.AddItemLocks();
        services.AddShutdownSignal();
        services.TryAddSingleton<S3Resilience>();
        services.AddCopies();
        services.AddWatchdogTables();
        return services;
    }
}
