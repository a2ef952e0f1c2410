using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;

namespace Bus.Fixity.Data;

/// <summary>Lets <c>busctl db migrate</c> apply fixity's migrations (after persistence 10 and registry 20).</summary>
public sealed class FixityDatabaseModule(IOptions<PostgresOptions> options) : EfDatabaseModule<FixityDbContext>(options)
{
    public override string Name => FixityDbContext.ModuleName;
    public override int Order => 50;

    protected override FixityDbContext CreateContext(string connectionString) => FixityDbContext.Create(connectionString);
}
