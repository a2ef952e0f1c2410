using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;

namespace Bus.Deletion.Data;

/// <summary>Lets <c>busctl db migrate</c> (and the host) apply deletion's migrations, after persistence and the registry.</summary>
public sealed class DeletionDatabaseModule(IOptions<PostgresOptions> options) : EfDatabaseModule<DeletionDbContext>(options)
{
    public override string Name => DeletionDbContext.ModuleName;
    public override int Order => 60;

    protected override DeletionDbContext CreateContext(string connectionString) => DeletionDbContext.Create(connectionString);
}
