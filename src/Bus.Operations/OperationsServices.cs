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
    /// AddBusPlatform's options. The saga module replaces <see cref="ISagaLookup"/> by registering
    /// its own (TryAdd here, so registration order does not matter).
    /// </summary>
    public static IServiceCollection AddBusOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBusOptions<OperationsOptions>(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISagaLookup, NullSagaLookup>();
        services.TryAddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString));
        services.AddSingleton<ErrorAudit>();
        services.AddSingleton<ErrorQueueService>();
        services.AddSingleton<ErrorArchive>();
        services.AddSingleton<IDatabaseModule, OperationsDatabaseModule>();
        return services;
    }
}
