using Bus.Workflows.Steps;
using MassTransit;

namespace Bus.Tests.Workflows;

/// <summary>
/// The outbox of saga and step endpoints on MassTransit's in-memory harness, which has no PostgreSQL
/// outbox and no scheduler for redelivery. Production code has no such choice (<see cref="EndpointOutbox.Postgres"/>);
/// a harness registers one of these as <see cref="IEndpointOutbox"/>.
/// </summary>
public sealed class HarnessOutbox(Action<IReceiveEndpointConfigurator, IRegistrationContext> apply) : IEndpointOutbox
{
    /// <summary>MassTransit's in-memory outbox: a response or event still leaves only after the transition that produced it.</summary>
    public static readonly HarnessOutbox InMemory = new((e, c) => e.UseInMemoryOutbox(c));

    /// <summary>No outbox: messages leave as they are sent.</summary>
    public static readonly HarnessOutbox None = new((_, _) => { });

    public bool ScheduledRedelivery => false;

    public void Apply(IReceiveEndpointConfigurator endpoint, IRegistrationContext context) => apply(endpoint, context);
}
