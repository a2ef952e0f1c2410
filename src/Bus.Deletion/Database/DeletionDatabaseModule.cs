using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Deletion.Database;

/// <summary>Lets <c>busctl db migrate</c> (and the host) apply deletion's migrations, after persistence and the registry.</summary>
public sealed class DeletionDatabaseModule(IOptions<PostgresOptions> options) : IDatabaseModule
{
    public string Name => DeletionDbContext.ModuleName;
    public int Order => 60;

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var context = DeletionDbContext.Create(options.Value.ConnectionString);
        return (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = DeletionDbContext.Create(options.Value.ConnectionString);
        await context.Database.MigrateAsync(cancellationToken);
    }
}
