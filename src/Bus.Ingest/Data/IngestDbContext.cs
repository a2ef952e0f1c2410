using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore;

namespace Bus.Ingest.Data;

/// <summary>
/// Owns ingest's interim tables in schema <c>bus</c> through its own migrations history. Reads and
/// writes go through <see cref="InterimStore"/> (binary COPY and set-based SQL: 100,000 files are
/// one COPY, not 100,000 EF inserts). The model holds only the saga's map, as the persistence
/// module's repository sees it.
/// </summary>
public sealed class IngestDbContext(DbContextOptions<IngestDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new StateMachines.IngestStateMap());
        modelBuilder.UseSnakeCaseNames();
    }

    public const string ModuleName = "ingest";

    public static IngestDbContext Create(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<IngestDbContext>();
        builder.UseBusPostgres(connectionString, ModuleName);
        return new IngestDbContext(builder.Options);
    }
}
