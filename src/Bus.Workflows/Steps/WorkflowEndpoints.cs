using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.Workflows.Steps;

/// <summary>
/// Which outbox an endpoint's messages go through. Production has one: the PostgreSQL outbox and inbox
/// (<see cref="EndpointOutbox.Postgres"/>), with redelivery through the PostgreSQL scheduler. Only a test
/// on MassTransit's in-memory harness, which has neither a database nor that scheduler, registers
/// another implementation as a service.
/// </summary>
public interface IEndpointOutbox
{
    /// <summary>Whether a message scheduler exists for <c>UseScheduledRedelivery</c>.</summary>
    bool ScheduledRedelivery { get; }

    void Apply(IReceiveEndpointConfigurator endpoint, IRegistrationContext context);
}

public static class EndpointOutbox
{
    /// <summary>
    /// The rule for every saga and step endpoint: the saga row or the step's writes, the inbox mark and the
    /// messages sent commit in one PostgreSQL transaction, and are delivered only after it committed.
    /// </summary>
    public static readonly IEndpointOutbox Postgres = new PostgresOutbox();

    /// <summary>The outbox of an endpoint: the PostgreSQL one, unless a test registered its own.</summary>
    public static IEndpointOutbox For(IRegistrationContext context) => context.GetService<IEndpointOutbox>() ?? Postgres;

    private sealed class PostgresOutbox : IEndpointOutbox
    {
        public bool ScheduledRedelivery => true;
        public void Apply(IReceiveEndpointConfigurator endpoint, IRegistrationContext context) => endpoint.UsePostgresOutbox(context);
    }
}

/// <summary>How every workflow configures its saga and step endpoints: one place, one order.</summary>
public static class WorkflowEndpoints
{
    /// <summary>
    /// A step endpoint: <paramref name="policy"/> (scheduled redelivery outermost, then in-process retries;
    /// without a scheduler, retries only), then the outbox, so each retry is its own transaction.
    /// </summary>
    public static void UseWorkflowStepPolicy(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context, StepFailurePolicy policy)
    {
        var outbox = EndpointOutbox.For(context);
        (outbox.ScheduledRedelivery ? policy : policy with { RedeliveryIntervals = [] }).Apply(endpoint);
        outbox.Apply(endpoint, context);
    }

    /// <summary>A saga endpoint: immediate retries (<paramref name="retry"/>: lost row-lock races, transient database errors), then the outbox.</summary>
    public static void UseWorkflowSagaPolicy(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context, Action<IRetryConfigurator> retry)
    {
        endpoint.UseMessageRetry(retry);
        EndpointOutbox.For(context).Apply(endpoint, context);
    }
}
