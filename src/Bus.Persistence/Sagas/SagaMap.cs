using Bus.Platform.Options;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bus.Persistence.Sagas;

/// <summary>
/// The database map of one saga: its table in schema <c>bus</c> with <c>correlation_id</c> (key),
/// <c>current_state</c>, <c>created_at</c>, <c>updated_at</c> and one snake_case column per saga
/// property. Derive one per saga (the fourth of its four files); the repository finds it in the saga's
/// assembly, and the module's own DbContext applies it too so its migrations describe the same table.
/// </summary>
public abstract class SagaMap<TSaga> : IEntityTypeConfiguration<TSaga> where TSaga : class, SagaStateMachineInstance
{
    internal const string CreatedAt = "CreatedAt";
    internal const string UpdatedAt = "UpdatedAt";
    internal const string Xmin = "xmin";
    internal const string CurrentState = "CurrentState";

    /// <summary>Table name in schema <c>bus</c>, snake_case, e.g. <c>ingest_saga</c>.</summary>
    public abstract string TableName { get; }

    public void Configure(EntityTypeBuilder<TSaga> builder)
    {
        if (typeof(TSaga).GetProperty(CurrentState)?.PropertyType != typeof(string))
            throw new InvalidOperationException($"{typeof(TSaga).Name} must have a 'string CurrentState' property (InstanceState(x => x.CurrentState)).");

        builder.ToTable(TableName, PostgresOptions.BusSchema);
        builder.HasKey(x => x.CorrelationId);
        builder.Property(x => x.CorrelationId).HasColumnName("correlation_id").ValueGeneratedNever();
        builder.Property<string>(CurrentState).HasColumnName("current_state").IsRequired();
        // Kept by the repository, not by the saga: shadow properties keep them out of saga classes.
        builder.Property<DateTime>(CreatedAt).HasColumnName("created_at");
        builder.Property<DateTime>(UpdatedAt).HasColumnName("updated_at");
        // PostgreSQL's row version: every UPDATE checks it, which is what optimistic mode relies on
        // (and costs nothing under FOR UPDATE, where nobody else can change the row).
        builder.Property<uint>(Xmin).HasColumnName("xmin").HasColumnType("xid").ValueGeneratedOnAddOrUpdate().IsConcurrencyToken();
        ConfigureSaga(builder);
    }

    /// <summary>Column details for the saga's own properties (lengths, ignored properties, conversions).</summary>
    protected virtual void ConfigureSaga(EntityTypeBuilder<TSaga> entity) { }
}
