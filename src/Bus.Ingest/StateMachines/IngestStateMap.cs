using Bus.Persistence.Sagas;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bus.Ingest.StateMachines;

/// <summary>The ingest saga's table, bus.ingest_saga: one column per saga property (snake_case), queryable by operators.</summary>
public sealed class IngestStateMap : SagaMap<IngestState>
{
    public override string TableName => "ingest_saga";

    protected override void ConfigureSaga(EntityTypeBuilder<IngestState> entity)
    {
        entity.Property(x => x.Rejections).HasColumnType("jsonb");
        entity.HasIndex(x => x.Institution);
    }
}
