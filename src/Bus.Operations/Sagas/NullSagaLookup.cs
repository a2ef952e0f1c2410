namespace Bus.Operations.Sagas;

/// <summary>Used until the saga module plugs in its lookup: no saga is ever found.</summary>
public sealed class NullSagaLookup : ISagaLookup
{
    public Task<SagaSnapshot?> FindAsync(Guid correlationId, IReadOnlyList<string> messageTypes, CancellationToken cancellationToken) =>
        Task.FromResult<SagaSnapshot?>(null);
}
