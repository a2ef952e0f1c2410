using System.Data.Common;
using System.Reflection;
using Bus.Host.Roles;
using Bus.Persistence;
using MassTransit;
using Bus.Platform;
using Bus.Platform.Messaging;
using Bus.Registry.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.Internal;

namespace Bus.Tests.Platform;

/// <summary>
/// One pool of runtime-role connections per host: every role's services, composed as bus-host composes them, reach
/// the database through the one registered <see cref="NpgsqlDataSource"/>. A module that builds a data source of its
/// own, or registers an EF context on a connection string (Npgsql's global pool), fails here.
/// </summary>
public sealed class When_a_host_role_opens_the_database
{
    public static TheoryData<string> Roles() => [.. RoleCatalog.Names];

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task Every_data_source_and_context_of_the_role_is_the_shared_one(string role)
    {
        var (services, host) = HostServices(RoleCatalog.All.Single(r => r.Name == role));
        using var _ = host;
        Assert.Single(services, d => typeof(DbDataSource).IsAssignableFrom(d.ServiceType));
        var provider = host.Services;
        var shared = provider.GetRequiredService<NpgsqlDataSource>();
        await using var scope = provider.CreateAsyncScope();

        foreach (var descriptor in services.Where(d => !d.ServiceType.IsGenericTypeDefinition && IsBus(TypeOf(d)) && HoldsDataSource(TypeOf(d))))
        {
            var service = descriptor.IsKeyedService
                ? scope.ServiceProvider.GetRequiredKeyedService(descriptor.ServiceType, descriptor.ServiceKey)
                : scope.ServiceProvider.GetServices(descriptor.ServiceType).First(s => s is not null && TypeOf(descriptor).IsInstanceOfType(s))!;
            foreach (var held in DataSourcesOf(service))
                Assert.True(ReferenceEquals(shared, held), $"role {role}: {service.GetType().Name} holds a data source of its own");
        }

        var contextTypes = services.Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IDbContextFactory<>)).ToList();
        foreach (var factoryType in contextTypes)
        {
            var factory = scope.ServiceProvider.GetRequiredService(factoryType);
            await using var context = (DbContext)factoryType.GetMethod(nameof(IDbContextFactory<DbContext>.CreateDbContext))!.Invoke(factory, null)!;
            AssertOnShared(role, context, shared);
        }
        foreach (var optionsType in services.Select(d => d.ServiceType)
                     .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(DbContextOptions<>)))
            AssertOnShared(role, optionsType.GenericTypeArguments[0].Name, (DbContextOptions)scope.ServiceProvider.GetRequiredService(optionsType), shared);

        if (provider.GetService<RegistryDatabase>() is { } registry)
        {
            await using var context = registry.CreateDbContext();
            AssertOnShared(role, context, shared);
        }
    }

    private static void AssertOnShared(string role, DbContext context, NpgsqlDataSource shared) =>
        AssertOnShared(role, context.GetType().Name, context.GetService<IDbContextOptions>(), shared);

    private static void AssertOnShared(string role, string context, IDbContextOptions options, NpgsqlDataSource shared)
    {
#pragma warning disable EF1001 // the data source a context is on is only visible on Npgsql's options extension
        var npgsql = options.FindExtension<NpgsqlOptionsExtension>();
        Assert.True(npgsql is not null, $"role {role}: {context} is not on PostgreSQL");
        Assert.True(npgsql!.ConnectionString is null && npgsql.Connection is null, $"role {role}: {context} is on a connection string or a connection of its own");
        Assert.True(ReferenceEquals(shared, npgsql.DataSource), $"role {role}: {context} is on a data source of its own");
#pragma warning restore EF1001
    }

    /// <summary>The services bus-host registers for <paramref name="role"/> (BusHost.Build), without starting anything.</summary>
    private static (IServiceCollection Services, IHost Host) HostServices(HostRole role)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development", ApplicationName = "bus-host" });
        var (services, configuration) = (builder.Services, builder.Configuration);
        builder.Services.AddLogging();
        services.AddBusPlatform(configuration);
        services.AddBusPersistence(configuration);
        role.AddServices(services, configuration);
        services.AddBusMessaging(role.AddConsumers, (context, cfg) => cfg.UseBusPersistence(context));
        return (services, builder.Build());
    }

    private static bool IsBus(Type type) => type.Assembly.GetName().Name!.StartsWith("Bus.", StringComparison.Ordinal);

    private static Type TypeOf(ServiceDescriptor d) =>
        (d.IsKeyedService ? d.KeyedImplementationType : d.ImplementationType) ?? d.ServiceType;

    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    private static bool HoldsDataSource(Type type) =>
        type.GetFields(Instance).Any(f => typeof(DbDataSource).IsAssignableFrom(f.FieldType))
        || type.GetProperties(Instance).Any(p => typeof(DbDataSource).IsAssignableFrom(p.PropertyType));

    private static IEnumerable<object> DataSourcesOf(object service) =>
        service.GetType().GetFields(Instance).Where(f => typeof(DbDataSource).IsAssignableFrom(f.FieldType)).Select(f => f.GetValue(service))
            .Concat(service.GetType().GetProperties(Instance)
                .Where(p => typeof(DbDataSource).IsAssignableFrom(p.PropertyType) && p.GetIndexParameters().Length == 0).Select(p => p.GetValue(service)))
            .OfType<object>();
}
