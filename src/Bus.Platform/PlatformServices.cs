using Amazon.S3;
using Bus.Platform.Options;
using Bus.Platform.Probes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Platform;

public static class PlatformServices
{
    /// <summary>Options, the S3 client and the component probes every Bus process uses.</summary>
    public static IServiceCollection AddBusPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPlatformOptions(configuration);
        services.AddSingleton(sp => StorageClientFactory.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton<RabbitMqProbe>();
        services.AddSingleton<PostgresProbe>();
        services.AddSingleton<StorageProbe>();
        services.AddSingleton<IEnumerable<IComponentProbe>>(sp =>
            [sp.GetRequiredService<RabbitMqProbe>(), sp.GetRequiredService<PostgresProbe>(), sp.GetRequiredService<StorageProbe>()]);
        return services;
    }
}
