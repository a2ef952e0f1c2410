using Bus.Persistence.Sagas;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bus.Restore.SpotTests;

/// <summary>The spot test saga's table <c>bus.spot_test_saga</c> (created by restore's migration AddSpotTests).</summary>
public sealed class SpotTestStateMap : SagaMap<SpotTestState>
{
    public override string TableName => "spot_test_saga";

    protected override void ConfigureSaga(EntityTypeBuilder<SpotTestState> entity)
    {
        entity.Property(x => x.Institution).IsRequired();
        entity.Property(x => x.RequestedBy).IsRequired();
    }
}
