namespace Bus.Persistence.Sagas;

public enum SagaConcurrencyMode
{
    /// <summary>ReadCommitted and <c>SELECT ... FOR UPDATE</c>: messages for one instance wait for each other. The default.</summary>
    Pessimistic,
    /// <summary>No lock on load; the update checks <c>xmin</c> and a conflict retries the message. For sagas that rarely see concurrent messages.</summary>
    Optimistic,
}

/// <summary>Options of one saga's repository, set in <c>.PostgresRepository(r => ...)</c>.</summary>
public sealed class PostgresSagaRepositoryOptions
{
    public SagaConcurrencyMode ConcurrencyMode { get; set; } = SagaConcurrencyMode.Pessimistic;
}

internal sealed record PostgresSagaSettings<TSaga>(SagaConcurrencyMode ConcurrencyMode);
