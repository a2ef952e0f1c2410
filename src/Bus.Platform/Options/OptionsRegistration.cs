using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Platform.Options;

public static class OptionsRegistration
{
    /// <summary>Binds a module's options from its section and validates them when the host starts.</summary>
    public static IServiceCollection AddBusOptions<T>(this IServiceCollection services, IConfiguration configuration)
        where T : class, IBusOptions, new()
    {
        var section = new T().SectionName;
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>, BusOptionsValidator<T>>();
        return services;
    }

    /// <summary>The platform modules every process needs: RabbitMQ, PostgreSQL and storage.</summary>
    public static IServiceCollection AddPlatformOptions(this IServiceCollection services, IConfiguration configuration) =>
        services.AddBusOptions<RabbitMqOptions>(configuration)
            .AddBusOptions<PostgresOptions>(configuration)
            .AddBusOptions<StorageOptions>(configuration);
}
