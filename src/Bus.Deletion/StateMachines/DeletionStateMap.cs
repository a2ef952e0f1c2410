using Bus.Persistence.Sagas;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bus.Deletion.StateMachines;

/// <summary>The saga's table, bus.deletion_requests: the repository's common columns plus one snake_case column per property.</summary>
public sealed class DeletionStateMap : SagaMap<DeletionState>
{
    public const string Table = "deletion_requests";

    public override string TableName => Table;

    protected override void ConfigureSaga(EntityTypeBuilder<DeletionState> entity)
    {
        entity.Property(x => x.Identifier).HasMaxLength(1024);
        entity.Property(x => x.ObjectIdentifier).HasMaxLength(512);
        entity.HasIndex(x => x.ObjectIdentifier);
    }
}
