using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bus.Notifications.Data;

/// <summary>
/// The notifications module's migrations (schema <c>bus</c>: <c>notifications</c> and <c>notification_deliveries</c>).
/// Reads and writes go through plain SQL (<see cref="NotificationStore"/>).
/// </summary>
public sealed class NotificationsDbContext(DbContextOptions<NotificationsDbContext> options) : DbContext(options)
{
    public const string ModuleName = "notifications";

    public static NotificationsDbContext Create(string connectionString) =>
        new((DbContextOptions<NotificationsDbContext>)new DbContextOptionsBuilder<NotificationsDbContext>().UseBusPostgres(connectionString, ModuleName).Options);

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.HasDefaultSchema(PostgresOptions.BusSchema);
}

/// <summary>Lets <c>busctl db migrate</c> (and the host) apply the notification tables, after the registry whose alerts they follow.</summary>
public sealed class NotificationsDatabaseModule(IOptions<PostgresOptions> options) : EfDatabaseModule<NotificationsDbContext>(options)
{
    public override string Name => NotificationsDbContext.ModuleName;
    public override int Order => 80;

    protected override NotificationsDbContext CreateContext(string connectionString) => NotificationsDbContext.Create(connectionString);
}
