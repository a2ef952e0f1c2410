using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Registry.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Registry;

public static class RegistryServices
{
    /// <summary>The registry's migrations module and <see cref="RegistryDatabase"/> (a pooled data source).</summary>
    public static IServiceCollection AddBusRegistry(this IServiceCollection services)
    {
        // Several modules need the registry (ingest, fixity, deletion, busctl): registered once.
        if (services.Any(d => d.ServiceType == typeof(RegistryDatabase))) return services;
        services.AddSingleton<IDatabaseModule, RegistryDatabaseModule>();
        services.AddSingleton(sp => new RegistryDatabase(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString));
        return services;
    }
}
