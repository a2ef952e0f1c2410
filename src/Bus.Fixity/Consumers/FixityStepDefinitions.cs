using Microsoft.Extensions.Options;
using MassTransit;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Fixity.Consumers;

/// <summary>
/// Failure policy of the fixity steps (as ingest's): transient S3/database errors retried at once with
/// backoff, then redelivered later through the PostgreSQL scheduler, then faulted to the queue's
/// _error queue (replayable; the saga waits in Faulted). Fatal errors fault at once.
/// </summary>
internal static class FixityStepPolicy
{
    public static void Apply(IReceiveEndpointConfigurator endpoint, FixityOptions options) =>
        new StepFailurePolicy(FixityErrors.IsTransient, options.RetryLimit, options.RedeliveryIntervals).Apply(endpoint);
}

public sealed class VerifyCopyConsumerDefinition : ConsumerDefinition<VerifyCopyConsumer>
{
    private readonly FixityOptions _options;

    public VerifyCopyConsumerDefinition(IOptions<FixityOptions> options)
    {
        _options = options.Value;
        EndpointName = FixityEndpoints.VerifyCopy;
        // Each check streams a whole copy: a few at once keep the network busy without starving the host.
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<VerifyCopyConsumer> consumerConfigurator, IRegistrationContext context) =>
        FixityStepPolicy.Apply(endpointConfigurator, _options);
}

public sealed class RepairCopyConsumerDefinition : ConsumerDefinition<RepairCopyConsumer>
{
    private readonly FixityOptions _options;

    public RepairCopyConsumerDefinition(IOptions<FixityOptions> options)
    {
        _options = options.Value;
        EndpointName = FixityEndpoints.RepairCopy;
        ConcurrentMessageLimit = 2;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RepairCopyConsumer> consumerConfigurator, IRegistrationContext context) =>
        FixityStepPolicy.Apply(endpointConfigurator, _options);
}

public sealed class RecordCheckOutcomeConsumerDefinition : ConsumerDefinition<RecordCheckOutcomeConsumer>
{
    private readonly FixityOptions _options;

    public RecordCheckOutcomeConsumerDefinition(IOptions<FixityOptions> options)
    {
        _options = options.Value;
        EndpointName = FixityEndpoints.RecordOutcome;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RecordCheckOutcomeConsumer> consumerConfigurator, IRegistrationContext context) =>
        FixityStepPolicy.Apply(endpointConfigurator, _options);
}
