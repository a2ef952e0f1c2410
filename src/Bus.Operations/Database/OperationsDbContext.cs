using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;

namespace Bus.Operations.Database;

/// <summary>The operations module's tables in schema <c>bus</c>: the error-queue audit and the archive.</summary>
public sealed class OperationsDbContext(DbContextOptions<OperationsDbContext> options) : DbContext(options)
{
    public const string Module = "operations";

    public DbSet<ErrorAuditEntry> ErrorAudit => Set<ErrorAuditEntry>();
    public DbSet<ArchivedErrorMessage> ArchivedErrorMessages => Set<ArchivedErrorMessage>();

    public static OperationsDbContext Create(string connectionString) =>
        new((DbContextOptions<OperationsDbContext>)new DbContextOptionsBuilder<OperationsDbContext>().UseBusPostgres(connectionString, Module).Options);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(PostgresOptions.BusSchema);
        modelBuilder.Entity<ErrorAuditEntry>(e =>
        {
            e.ToTable("error_audit");
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.HasIndex(x => new { x.Queue, x.At });
            e.HasIndex(x => x.MessageId);
        });
        modelBuilder.Entity<ArchivedErrorMessage>(e =>
        {
            e.ToTable("archived_error_messages");
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.Properties).HasColumnType("jsonb");
            e.HasIndex(x => x.ArchivedAt);
        });
        modelBuilder.UseSnakeCaseNames();
    }
}
