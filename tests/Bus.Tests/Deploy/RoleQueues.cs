using Bus.Host.Roles;
using Bus.Platform;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace Bus.Tests.Deploy;

/// <summary>
/// What each host role consumes and runs, read from the code rather than from a list: the role's own
/// registrations are configured on MassTransit's in-memory bus and every receive endpoint it makes is
/// recorded (names as RabbitMQ will see them, with the production defaults: no queue prefix). A new
/// consumer, saga or role shows up here without anyone updating a test.
/// </summary>
public static class RoleQueues
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<string>>> Queues = new(() =>
        RoleCatalog.All.ToDictionary(r => r.Name, r => Read(r).GetAwaiter().GetResult()));

    /// <summary>The queues role <paramref name="role"/> consumes from, in order.</summary>
    public static IReadOnlyList<string> Of(string role) => Queues.Value[role];

    /// <summary>
    /// Whether the role runs work of its own besides consuming (a hosted service: a sweep, a poller), work
    /// that puts messages on queues and therefore cannot wait for a queue to wake it up.
    /// </summary>
    public static bool HasBackgroundService(HostRole role)
    {
        var services = new ServiceCollection();
        role.AddServices(services, Configuration());
        return services.Any(d => d.ServiceType == typeof(IHostedService));
    }

    private static async Task<IReadOnlyList<string>> Read(HostRole role)
    {
        var configuration = Configuration();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = "Development", ApplicationName = "bus-host" });
        services.AddBusPlatform(configuration);
        role.AddServices(services, configuration);
        var names = new List<string>();
        services.AddMassTransitTestHarness(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            role.AddConsumers(x);
            x.AddConfigureEndpointsCallback((name, _) => { lock (names) names.Add(name); });
        });
        await using var provider = services.BuildServiceProvider();
        // Building the bus runs ConfigureEndpoints, which calls back once per receive endpoint; nothing is started.
        _ = provider.GetRequiredService<IBusControl>();
        return names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection().Build();
}
