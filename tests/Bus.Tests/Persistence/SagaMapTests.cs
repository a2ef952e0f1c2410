using Bus.Persistence.Sagas;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Bus.Tests.Persistence;

public sealed class SagaMapTests
{
    public sealed class ParcelState : SagaStateMachineInstance
    {
        public Guid CorrelationId { get; set; }
        public string CurrentState { get; set; } = null!;
        public string BagName { get; set; } = "";
        public int FilesStored { get; set; }
        public Guid? StageTimeoutTokenId { get; set; }
    }

    public sealed class ParcelStateMap : SagaMap<ParcelState>
    {
        public override string TableName => "parcel_saga";
    }

    [Fact]
    public void Should_map_every_saga_property_to_a_readable_snake_case_column()
    {
        using var db = new SagaDbContext<ParcelState>(new DbContextOptionsBuilder<SagaDbContext<ParcelState>>().UseNpgsql().Options);
        var entity = db.Model.FindEntityType(typeof(ParcelState))!;

        Assert.Equal(("bus", "parcel_saga"), (entity.GetSchema(), entity.GetTableName()));
        Assert.Equal(
            ["bag_name", "correlation_id", "created_at", "current_state", "files_stored", "stage_timeout_token_id", "updated_at", "xmin"],
            entity.GetProperties().Select(p => p.GetColumnName()).Order().ToArray());
        Assert.Equal("correlation_id", Assert.Single(entity.FindPrimaryKey()!.Properties).GetColumnName());
    }

    [Fact]
    public void Should_check_the_row_version_on_update()
    {
        using var db = new SagaDbContext<ParcelState>(new DbContextOptionsBuilder<SagaDbContext<ParcelState>>().UseNpgsql().Options);
        var xmin = db.Model.FindEntityType(typeof(ParcelState))!.FindProperty("xmin")!;
        Assert.True(xmin.IsConcurrencyToken);
    }

    [Fact]
    public void Should_create_the_common_columns_and_the_sagas_own_in_a_migration()
    {
        var sql = SagaTableMigrations.CreateSagaTableSql("parcel_saga", ("bag_name", "text NOT NULL"));

        Assert.Contains("CREATE TABLE IF NOT EXISTS bus.parcel_saga", sql);
        foreach (var column in new[] { "correlation_id uuid NOT NULL", "current_state text NOT NULL", "created_at timestamptz", "updated_at timestamptz", "bag_name text NOT NULL" })
            Assert.Contains(column, sql);
        Assert.Contains("ON bus.parcel_saga (current_state)", sql);
    }
}
