using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bus.Deletion.StateMachines;

/// <summary>The saga's table, bus.deletion_requests (snake_case columns, see the migration).</summary>
public sealed class DeletionStateMap : IEntityTypeConfiguration<DeletionState>
{
    public const string Table = "deletion_requests";

    public void Configure(EntityTypeBuilder<DeletionState> builder)
    {
        builder.ToTable(Table);
        builder.HasKey(x => x.CorrelationId);
        builder.Property(x => x.CurrentState).HasMaxLength(64);
        builder.Property(x => x.Identifier).HasMaxLength(1024);
        builder.Property(x => x.ObjectIdentifier).HasMaxLength(512);
        builder.HasIndex(x => x.CurrentState);
        builder.HasIndex(x => x.ObjectIdentifier);
    }
}
