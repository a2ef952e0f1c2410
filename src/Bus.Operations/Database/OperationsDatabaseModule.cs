using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;

namespace Bus.Operations.Database;

/// <summary>Lets <c>busctl db migrate</c> apply the operations tables (after persistence and registry).</summary>
public sealed class OperationsDatabaseModule(IOptions<PostgresOptions> postgres) : EfDatabaseModule<OperationsDbContext>(postgres)
{
    public override string Name => OperationsDbContext.Module;
    public override int Order => 30;

    protected override OperationsDbContext CreateContext(string connectionString) => OperationsDbContext.Create(connectionString);
}
