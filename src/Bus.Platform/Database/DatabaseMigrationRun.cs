using Bus.Platform.Options;
using Npgsql;

namespace Bus.Platform.Database;

/// <summary>
/// One migration run, as <c>busctl db migrate</c> and <c>Bus:Postgres:MigrateAtStartup</c> do it: the owner role's
/// default privileges for the runtime role first (so a schema a module creates is usable by it at once), then every
/// module in order (each migrates as the owner), then the grants again for whatever now exists (<see cref="RuntimeRoleGrants"/>).
/// </summary>
public static class DatabaseMigrationRun
{
    public static async Task<MigrationRunResult> RunAsync(IEnumerable<IDatabaseModule> modules, PostgresOptions options, CancellationToken cancellationToken)
    {
        await Step("grants", () => RuntimeRoleGrants.ApplyAsync(options, cancellationToken));
        var applied = new List<(string Module, IReadOnlyList<string> Migrations)>();
        foreach (var module in modules.OrderBy(m => m.Order))
        {
            var pending = await Step(module.Name, () => module.PendingMigrationsAsync(cancellationToken));
            await Step(module.Name, async () => { await module.MigrateAsync(cancellationToken); return true; });
            applied.Add((module.Name, pending));
        }
        var warnings = await Step("grants", () => RuntimeRoleGrants.ApplyAsync(options, cancellationToken));
        return new MigrationRunResult(applied, warnings);
    }

    private static async Task<T> Step<T>(string name, Func<Task<T>> step)
    {
        try { return await step(); }
        catch (NpgsqlException e) { throw new DatabaseMigrationException(name, e); }
    }
}

public sealed record MigrationRunResult(IReadOnlyList<(string Module, IReadOnlyList<string> Migrations)> Applied, IReadOnlyList<string> Warnings);

/// <summary>A migration run failed at <see cref="Step"/> (a module's name, or "grants").</summary>
public sealed class DatabaseMigrationException(string step, NpgsqlException inner) : Exception($"migrating {step}: {inner.Message}", inner)
{
    public string Step { get; } = step;
}
