namespace Bus.Operations.Sagas;

/// <summary>
/// Finds the saga a faulted message belongs to, so <c>errors show</c> can print its current state.
/// The saga module registers its implementation (reading its own tables) with
/// <c>services.AddSingleton&lt;ISagaLookup, ...&gt;()</c>; until then <see cref="NullSagaLookup"/> answers.
/// </summary>
public interface ISagaLookup
{
    /// <param name="correlationId">From the envelope's correlationId, the message's CorrelationId, or the AMQP correlation-id.</param>
    /// <param name="messageTypes">The faulted message's type URNs, to narrow which saga types can hold it.</param>
    Task<SagaSnapshot?> FindAsync(Guid correlationId, IReadOnlyList<string> messageTypes, CancellationToken cancellationToken);
}

/// <summary>What an operator needs to know about a saga next to a faulted message.</summary>
/// <param name="Details">Extra columns worth showing (business key, attempts, last error...), by name.</param>
public sealed record SagaSnapshot(
    string SagaType,
    Guid CorrelationId,
    string CurrentState,
    DateTimeOffset? UpdatedAt,
    IReadOnlyDictionary<string, string?> Details);
