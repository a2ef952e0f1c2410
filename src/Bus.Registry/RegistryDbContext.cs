using System.Data.Common;
using Bus.Platform.Database;
using Bus.Platform.Options;
using Bus.Registry.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Bus.Registry;

/// <summary>
/// EF Core view of schema <c>registry</c>. Use it for reads and ad-hoc updates; idempotent and bulk
/// writes are in <see cref="Store.RegistryStore"/>. To join a caller's transaction (the outbox), build
/// it with <see cref="OnConnection"/>.
/// </summary>
public sealed class RegistryDbContext(DbContextOptions<RegistryDbContext> options) : DbContext(options)
{
    public const string Schema = PostgresOptions.RegistrySchema;
    public const string ModuleName = "registry";

    public DbSet<Institution> Institutions => Set<Institution>();
    public DbSet<User> Users => Set<User>();
    public DbSet<IntellectualObject> Objects => Set<IntellectualObject>();
    public DbSet<GenericFile> Files => Set<GenericFile>();
    public DbSet<Checksum> Checksums => Set<Checksum>();
    public DbSet<StorageRecord> StorageRecords => Set<StorageRecord>();
    public DbSet<PremisEvent> Events => Set<PremisEvent>();
    public DbSet<Alert> Alerts => Set<Alert>();

    public static RegistryDbContext Create(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<RegistryDbContext>();
        builder.UseBusPostgres(connectionString, ModuleName);
        return new RegistryDbContext(builder.Options);
    }

    /// <summary>
    /// A context on the caller's open connection, enlisted in its transaction, so registry writes commit
    /// or roll back with the caller's other writes (e.g. outbox messages). The caller owns both.
    /// </summary>
    public static async Task<RegistryDbContext> OnConnection(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken = default)
    {
        var options = new DbContextOptionsBuilder<RegistryDbContext>()
            .UseNpgsql(connection, npgsql => npgsql.MigrationsHistoryTable($"__ef_migrations_{ModuleName}", PostgresOptions.BusSchema))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
            .Options;
        var context = new RegistryDbContext(options);
        if (transaction is not null) await context.Database.UseTransactionAsync(transaction, cancellationToken);
        return context;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<Institution>(e => { e.ToTable("institutions"); e.HasKey(x => x.Identifier); });
        modelBuilder.Entity<User>(e => { e.ToTable("users"); e.HasKey(x => x.Email); });
        modelBuilder.Entity<IntellectualObject>(e =>
        {
            e.ToTable("intellectual_objects");
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.HasIndex(x => x.Identifier).IsUnique();
        });
        modelBuilder.Entity<GenericFile>(e =>
        {
            e.ToTable("generic_files");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.Identifier).IsUnique();
        });
        modelBuilder.Entity<Checksum>(e =>
        {
            e.ToTable("checksums");
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
        });
        modelBuilder.Entity<StorageRecord>(e =>
        {
            e.ToTable("storage_records");
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
        });
        modelBuilder.Entity<PremisEvent>(e => { e.ToTable("premis_events"); e.Property(x => x.Id).ValueGeneratedNever(); });
        modelBuilder.Entity<Alert>(e => { e.ToTable("alerts"); e.Property(x => x.Id).ValueGeneratedNever(); });
        // Rows added through EF without these times get the database's now(), as SQL inserts do.
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties())
                     .Where(p => p.Name is nameof(Institution.CreatedAt) or nameof(IntellectualObject.UpdatedAt)))
            property.SetDefaultValueSql("now()");
        modelBuilder.UseSnakeCaseNames();
    }
}
