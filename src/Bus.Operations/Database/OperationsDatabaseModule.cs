using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Operations.Database;

/// <summary>Lets <c>busctl db migrate</c> apply the operations tables (after persistence and registry).</summary>
public sealed class OperationsDatabaseModule(IOptions<PostgresOptions> postgres) : IDatabaseModule
{
    public string Name => OperationsDbContext.Module;
    public int Order => 30;

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var db = OperationsDbContext.Create(postgres.Value.ConnectionString);
        return (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = OperationsDbContext.Create(postgres.Value.ConnectionString);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
