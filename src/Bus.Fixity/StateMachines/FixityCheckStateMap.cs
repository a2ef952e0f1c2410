using Bus.Persistence.Sagas;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bus.Fixity.StateMachines;

/// <summary>The check saga's table <c>bus.fixity_check_saga</c> (created by fixity's migration AddCheckSagaTable).</summary>
public sealed class FixityCheckStateMap : SagaMap<FixityCheckState>
{
    public override string TableName => "fixity_check_saga";

    protected override void ConfigureSaga(EntityTypeBuilder<FixityCheckState> entity)
    {
        entity.Property(x => x.RequestedBy).IsRequired();
    }
}
