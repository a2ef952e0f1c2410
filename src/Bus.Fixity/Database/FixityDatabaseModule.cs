using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Fixity.Database;

/// <summary>Lets <c>busctl db migrate</c> apply fixity's migrations (after persistence 10 and registry 20).</summary>
public sealed class FixityDatabaseModule(IOptions<PostgresOptions> options) : IDatabaseModule
{
    public string Name => FixityDbContext.ModuleName;
    public int Order => 50;

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var context = FixityDbContext.Create(options.Value.ConnectionString);
        return (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = FixityDbContext.Create(options.Value.ConnectionString);
        await context.Database.MigrateAsync(cancellationToken);
    }
}
