using Bus.Operations.Archive;
using Bus.Operations.Audit;
using Bus.Operations.Database;
using Bus.Operations.ErrorQueues;
using Bus.Operations.Sagas;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Operations;

public static class OperationsServices
{
    /// <summary>
    /// Error-queue tooling, its options (Bus:Operations) and its database module. Expects
    /// AddBusPlatform's options. <see cref="ISagaLookup"/> reads bus.saga_status (every saga type);
    /// TryAdd, so a host may still register its own first.
    /// </summary>
    public static IServiceCollection AddBusOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<OperationsOptions>(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISagaLookup, SagaStatusLookup>();
        services.AddSingleton<SagaStatusStore>();
        services.AddBusDataSource();
        services.AddSingleton<ErrorAudit>();
        services.AddSingleton<ErrorQueueService>();
        services.AddSingleton<ErrorArchive>();
        services.AddSingleton<Outbox.ParkedOutbox>();
        services.AddSingleton<IDatabaseModule, OperationsDatabaseModule>();
        return services;
    }
}
