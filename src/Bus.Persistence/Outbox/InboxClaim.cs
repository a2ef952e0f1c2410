using Bus.Persistence.Transactions;
using Npgsql;

namespace Bus.Persistence.Outbox;

/// <summary>
/// The inbox row of one (message, consumer), written already marked consumed: it only becomes visible
/// if the message's transaction commits, so every committed row is a consumed message and a conflict
/// means a duplicate. The upsert also takes the row lock, so a second delivery running at the same time
/// waits here until the first commits (then skips) or rolls back (then consumes).
/// A consumer claims before it runs (<see cref="ExecuteAsync"/>); a PostgreSQL saga sends the claim in
/// the same round trip as its <c>SELECT ... FOR UPDATE</c> (<see cref="MessageTransaction.TakePendingClaim"/>).
/// </summary>
internal sealed class InboxClaim(Guid messageId, Guid consumerId, string consumerType)
{
    public Guid MessageId => messageId;

    /// <summary>Deliveries of this message to this consumer counted so far (1 until the claim has run).</summary>
    public int ReceiveCount { get; private set; } = 1;

    public bool Duplicate => ReceiveCount > 1;

    public NpgsqlBatchCommand Command()
    {
        var command = new NpgsqlBatchCommand(
            "INSERT INTO bus.inbox_state (message_id, consumer_id, consumer_type, consumed_at) VALUES (@m, @c, @t, now()) " +
            "ON CONFLICT (message_id, consumer_id) DO UPDATE SET receive_count = bus.inbox_state.receive_count + 1 " +
            "RETURNING receive_count");
        command.Parameters.Add(new NpgsqlParameter("m", messageId));
        command.Parameters.Add(new NpgsqlParameter("c", consumerId));
        command.Parameters.Add(new NpgsqlParameter("t", consumerType));
        return command;
    }

    /// <summary>Reads the claim's result set, the current one of <paramref name="reader"/>.</summary>
    public async Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken)) throw new InvalidOperationException("The inbox upsert returned no row.");
        ReceiveCount = reader.GetInt32(0);
    }

    /// <summary>The claim on its own: one round trip (with BEGIN, which Npgsql sends with the first statement).</summary>
    public async Task ExecuteAsync(MessageTransaction transaction, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction.Transaction);
        batch.BatchCommands.Add(Command());
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await ReadAsync(reader, cancellationToken);
    }
}
