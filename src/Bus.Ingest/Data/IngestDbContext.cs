using Bus.Platform.Database;
using Microsoft.EntityFrameworkCore;

namespace Bus.Ingest.Data;

/// <summary>
/// Owns ingest's interim tables in schema <c>bus</c> through its own migrations history. Reads and
/// writes go through <see cref="InterimStore"/> (binary COPY and set-based SQL: 100,000 files are
/// one COPY, not 100,000 EF inserts), so the model stays empty.
/// </summary>
public sealed class IngestDbContext(DbContextOptions<IngestDbContext> options) : DbContext(options)
{
    public const string ModuleName = "ingest";

    public static IngestDbContext Create(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<IngestDbContext>();
        builder.UseBusPostgres(connectionString, ModuleName);
        return new IngestDbContext(builder.Options);
    }
}
