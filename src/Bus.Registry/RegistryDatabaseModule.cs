using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;

namespace Bus.Registry;

/// <summary>Lets <c>busctl db migrate</c> apply the registry's migrations (after persistence, order 10).</summary>
public sealed class RegistryDatabaseModule(IOptions<PostgresOptions> options) : EfDatabaseModule<RegistryDbContext>(options)
{
    public override string Name => RegistryDbContext.ModuleName;
    public override int Order => 20;

    protected override RegistryDbContext CreateContext(string connectionString) => RegistryDbContext.Create(connectionString);
}
