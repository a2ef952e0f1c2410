using Bus.Persistence.Transactions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bus.Workflows.Watchdog;

/// <summary>
/// A step message of a workflow began: recorded in <c>bus.step_heartbeats</c> in the message's own transaction,
/// so a long step that goes on in continuation slices (which do not touch its saga) shows the watchdog it is alive.
/// The upsert also takes the workflow's heartbeat row lock until the message commits: a second delivery of the
/// same workflow's step (the watchdog's re-send meeting a late original) waits for the first to finish, then finds
/// its work done, instead of running beside it on the same checkpoints.
/// </summary>
public static class StepHeartbeat
{
    private const string Sql = """
        INSERT INTO bus.step_heartbeats (workflow_id, step, beat_at) VALUES (@id, @step, now())
        ON CONFLICT (workflow_id) DO UPDATE SET step = EXCLUDED.step, beat_at = EXCLUDED.beat_at
        """;

    /// <summary>No-op without an open message transaction (an endpoint without the outbox, the in-memory harness).</summary>
    public static async Task BeatAsync(ConsumeContext context, Guid workflowId, string step, CancellationToken cancellationToken)
    {
        if (!context.TryGetPayload<IServiceProvider>(out var services)
            || services.GetService<MessageTransaction>() is not { IsActive: true } transaction) return;
        await using var command = new NpgsqlCommand(Sql, transaction.Connection, transaction.Transaction);
        command.Parameters.AddWithValue("id", workflowId);
        command.Parameters.AddWithValue("step", step);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
