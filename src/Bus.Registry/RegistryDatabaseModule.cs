using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Registry;

/// <summary>Lets <c>busctl db migrate</c> apply the registry's migrations (after persistence, order 10).</summary>
public sealed class RegistryDatabaseModule(IOptions<PostgresOptions> options) : IDatabaseModule
{
    public string Name => RegistryDbContext.ModuleName;
    public int Order => 20;

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var context = RegistryDbContext.Create(options.Value.ConnectionString);
        return (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = RegistryDbContext.Create(options.Value.ConnectionString);
        await context.Database.MigrateAsync(cancellationToken);
    }
}
