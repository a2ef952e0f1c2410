namespace Bus.Persistence.Sagas;

/// <summary>A saga registered with <c>PostgresRepository()</c>, by MassTransit's short type name.</summary>
internal sealed record PostgresSagaType(string ShortName);

/// <summary>
/// The sagas in this container that use the PostgreSQL repository: on their messages the outbox lets
/// the repository send the inbox claim with the saga's row lock. (MassTransit's outbox options name the
/// consumer or saga only by its short type name.)
/// </summary>
internal sealed class PostgresSagaTypes(IEnumerable<PostgresSagaType> types)
{
    private readonly HashSet<string> _names = types.Select(t => t.ShortName).ToHashSet(StringComparer.Ordinal);

    public bool Contains(string? consumerType) => consumerType is not null && _names.Contains(consumerType);
}
