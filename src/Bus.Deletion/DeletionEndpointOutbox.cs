using MassTransit;

namespace Bus.Deletion;

/// <summary>
/// Which outbox the deletion endpoints use: the host passes the PostgreSQL outbox (saga row, inbox and
/// outgoing messages in one transaction), the in-memory harness MassTransit's in-memory outbox. Either
/// way a response or event leaves only after the transition that produced it was saved.
/// </summary>
public sealed class DeletionEndpointOutbox(Action<IReceiveEndpointConfigurator, IRegistrationContext> configure)
{
    public static readonly DeletionEndpointOutbox InMemory = new((e, c) => e.UseInMemoryOutbox(c));

    public void Configure(IReceiveEndpointConfigurator endpoint, IRegistrationContext context) => configure(endpoint, context);
}
