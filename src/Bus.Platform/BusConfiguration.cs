using Microsoft.Extensions.Configuration;

namespace Bus.Platform;

/// <summary>
/// Configuration as every Bus process reads it: appsettings.json beside the executable, then
/// appsettings.{Environment}.json, then environment variables (<c>Bus__RabbitMq__Host</c>).
/// </summary>
public static class BusConfiguration
{
    public static string EnvironmentName =>
        Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";

    public static IConfigurationRoot Build(string? environmentName = null) =>
        new ConfigurationBuilder().AddBusSources(environmentName ?? EnvironmentName).Build();

    public static IConfigurationBuilder AddBusSources(this IConfigurationBuilder builder, string environmentName) =>
        builder.SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environmentName}.json", optional: true)
            .AddEnvironmentVariables();
}
