using Bus.Platform.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Bus.Workflows.Coordination;

public static class CoordinationServices
{
    /// <summary>
    /// The PostgreSQL item locks every workflow takes (ingest, fixity repair, deletion), on the shared
    /// data source. TryAdd: a host running several roles shares one instance, and a test may add its own first.
    /// </summary>
    public static IServiceCollection AddItemLocks(this IServiceCollection services)
    {
        services.AddBusDataSource();
        services.TryAddSingleton<IItemLocks>(sp => new PostgresItemLocks(sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }
}
