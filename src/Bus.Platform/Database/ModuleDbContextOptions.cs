using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

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
    public static DbContextOptionsBuilder UseBusPostgres(this DbContextOptionsBuilder builder, string connectionString, string module) =>
        builder.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable($"__ef_migrations_{module}", "bus"))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
}
