using Bus.Persistence.Sagas;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bus.Restore.StateMachines;

/// <summary>The restore saga's table <c>bus.restore_saga</c> (created by restore's migration CreateRestore).</summary>
public sealed class RestoreStateMap : SagaMap<RestoreState>
{
    public override string TableName => "restore_saga";

    protected override void ConfigureSaga(EntityTypeBuilder<RestoreState> entity)
    {
        entity.Property(x => x.Kind).IsRequired();
        entity.Property(x => x.Identifier).IsRequired();
        entity.Property(x => x.ObjectIdentifier).IsRequired();
        entity.Property(x => x.Institution).IsRequired();
        entity.Property(x => x.RequestedBy).IsRequired();
    }
}
