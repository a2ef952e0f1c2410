using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bus.Platform.Database;

/// <summary>
/// How every module's DbContext talks to PostgreSQL. Each module keeps its own migrations history
/// table in schema <c>bus</c> (<c>__ef_migrations_{module}</c>) so modules migrate independently.
/// Migrations are hand-written <c>Migration</c> classes: Microsoft.EntityFrameworkCore.Design (and
/// so <c>dotnet ef migrations add</c>) cannot be restored here (its Mono.TextTemplating dependency
/// is not served), which also means there is no model snapshot, so the pending-model-changes
/// warning that EF Core raises without one is ignored.
/// </summary>
public static class ModuleDbContextOptions
{
    /// <summary>On a connection string: only for migrations, which run as the owner role (<c>Bus:Postgres:MigrationConnectionString</c>).</summary>
    public static DbContextOptionsBuilder UseBusPostgres(this DbContextOptionsBuilder builder, string connectionString, string module) =>
        builder.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable($"__ef_migrations_{module}", "bus"))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    /// <summary>On the process's one data source (<see cref="BusDataSource"/>): every context a host or busctl works with.</summary>
    public static DbContextOptionsBuilder UseBusPostgres(this DbContextOptionsBuilder builder, NpgsqlDataSource dataSource, string module) =>
        builder.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable($"__ef_migrations_{module}", "bus"))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    /// <summary>
    /// Registers <see cref="IDbContextFactory{TContext}"/> for a module's context on the shared data source, so its
    /// connections come from the one pool with the runtime role's credentials (never Npgsql's global pool per
    /// connection string).
    /// </summary>
    public static IServiceCollection AddBusDbContext<TContext>(this IServiceCollection services, string module) where TContext : DbContext
    {
        services.AddBusDataSource();
        services.AddDbContextFactory<TContext>((sp, o) => o.UseBusPostgres(sp.GetRequiredService<NpgsqlDataSource>(), module));
        return services;
    }
}
