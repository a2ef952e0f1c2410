using MassTransit;

namespace Bus.Deletion;

/// <summary>
/// Which outbox (and redelivery) the deletion endpoints use: the host passes the PostgreSQL outbox (saga row, inbox and
/// outgoing messages in one transaction), the in-memory harness MassTransit's in-memory outbox. Either
/// way a response or event leaves only after the transition that produced it was saved.
/// </summary>
public sealed class DeletionEndpointOutbox(Action<IReceiveEndpointConfigurator, IRegistrationContext> configure, bool scheduledRedelivery = false)
{
    public static readonly DeletionEndpointOutbox InMemory = new((e, c) => e.UseInMemoryOutbox(c));

    /// <summary>The host's: PostgreSQL outbox and inbox, and redelivery through the PostgreSQL scheduler.</summary>
    public static readonly DeletionEndpointOutbox Postgres = new((e, c) => e.UsePostgresOutbox(c), scheduledRedelivery: true);

    /// <summary>Whether a message scheduler exists for UseScheduledRedelivery (not on the in-memory harness).</summary>
    public bool ScheduledRedelivery { get; } = scheduledRedelivery;

    public void Configure(IReceiveEndpointConfigurator endpoint, IRegistrationContext context) => configure(endpoint, context);
}
