using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Ingest.Data;

/// <summary>Lets <c>busctl db migrate</c> create ingest's interim tables (after persistence 10, registry 20).</summary>
public sealed class IngestDatabaseModule(IOptions<PostgresOptions> options) : IDatabaseModule
{
    public string Name => IngestDbContext.ModuleName;
    public int Order => 40;

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var context = IngestDbContext.Create(options.Value.ConnectionString);
        return (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = IngestDbContext.Create(options.Value.MigrationConnectionString);
        await context.Database.MigrateAsync(cancellationToken);
    }
}
