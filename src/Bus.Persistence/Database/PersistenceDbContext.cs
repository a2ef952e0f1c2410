using Bus.Platform.Database;
using Bus.Platform.Options;
using Microsoft.EntityFrameworkCore;

namespace Bus.Persistence.Database;

/// <summary>The messaging tables of schema <c>bus</c>: inbox, outbox, schedule and saga transition history.</summary>
public sealed class PersistenceDbContext(DbContextOptions<PersistenceDbContext> options) : DbContext(options)
{
    public DbSet<InboxStateRow> InboxState => Set<InboxStateRow>();
    public DbSet<OutboxStateRow> OutboxState => Set<OutboxStateRow>();
    public DbSet<OutboxMessageRow> OutboxMessages => Set<OutboxMessageRow>();
    public DbSet<ScheduledMessageRow> ScheduledMessages => Set<ScheduledMessageRow>();
    public DbSet<SagaTransitionRow> SagaTransitions => Set<SagaTransitionRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(PostgresOptions.BusSchema);
        modelBuilder.Entity<InboxStateRow>(e =>
        {
            e.ToTable("inbox_state");
            e.HasKey(x => new { x.MessageId, x.ConsumerId });
            e.HasIndex(x => x.ReceivedAt);
        });
        modelBuilder.Entity<OutboxStateRow>(e =>
        {
            e.ToTable("outbox_state");
            e.HasKey(x => x.OutboxId);
            e.HasIndex(x => new { x.VirtualHost, x.CreatedAt }).HasFilter("delivered_at IS NULL AND parked_at IS NULL");
            e.HasIndex(x => x.ParkedAt).HasFilter("parked_at IS NOT NULL");
        });
        modelBuilder.Entity<OutboxMessageRow>(e =>
        {
            e.ToTable("outbox_message");
            e.HasKey(x => x.SequenceNumber);
            e.HasOne<OutboxStateRow>().WithMany().HasForeignKey(x => x.OutboxId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.OutboxId, x.SequenceNumber });
        });
        modelBuilder.Entity<ScheduledMessageRow>(e =>
        {
            e.ToTable("scheduled_message");
            e.HasKey(x => x.TokenId);
            e.HasIndex(x => new { x.VirtualHost, x.DueAt });
        });
        modelBuilder.Entity<SagaTransitionRow>(e =>
        {
            e.ToTable("saga_transitions");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.SagaType, x.CorrelationId, x.Id });
        });
        modelBuilder.UseSnakeCaseNames();
    }
}
