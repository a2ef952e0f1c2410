using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bus.Persistence.Sagas;

/// <summary>
/// A saga's table and a read-only copy of one row, outside any message: for tools that look at sagas from
/// the side (the watchdog), never to change them (only the saga's own messages do that, under its row lock).
/// </summary>
public static class SagaRows
{
    /// <summary>The saga's table, schema-qualified (<c>bus.ingest_saga</c>), from its <see cref="SagaMap{TSaga}"/>.</summary>
    public static string TableOf<TSaga>() where TSaga : class, SagaStateMachineInstance =>
        $"bus.{SagaDbContext<TSaga>.Map.TableName}";

    /// <summary>The row as it is now, or null when there is none; nothing is locked or tracked.</summary>
    public static async Task<TSaga?> LoadAsync<TSaga>(NpgsqlConnection connection, Guid correlationId, CancellationToken cancellationToken)
        where TSaga : class, SagaStateMachineInstance
    {
        await using var db = SagaDbContext<TSaga>.OnConnection(connection);
        return await db.Set<TSaga>().AsNoTracking()
            .FirstOrDefaultAsync(x => EF.Property<Guid>(x, nameof(SagaStateMachineInstance.CorrelationId)) == correlationId, cancellationToken);
    }
}
