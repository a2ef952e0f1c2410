using Bus.Platform.Database;
using Bus.Registry.Store;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bus.Registry;

public static class RegistryServices
{
    /// <summary>The registry's migrations module and <see cref="RegistryDatabase"/> (on the process's one data source).</summary>
    public static IServiceCollection AddBusRegistry(this IServiceCollection services)
    {
        // Several modules need the registry (ingest, fixity, deletion, busctl): registered once.
        if (services.Any(d => d.ServiceType == typeof(RegistryDatabase))) return services;
        services.AddSingleton<IDatabaseModule, RegistryDatabaseModule>();
        services.AddBusDataSource();
        services.AddSingleton(sp => new RegistryDatabase(sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }
}
