using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;

namespace Bus.Fixity.Steps;

// The fixity step endpoints: the kit's step definition with FixityStepPolicy.

/// <summary>Each check streams a whole copy: a few at once keep the network busy without starving the host.</summary>
public sealed class VerifyCopyConsumerDefinition(IOptions<FixityOptions> options)
    : WorkflowStepDefinition<VerifyCopyConsumer>(FixityEndpoints.VerifyCopy, FixityStepPolicy.For(options.Value), concurrency: 4);

public sealed class RepairCopyConsumerDefinition(IOptions<FixityOptions> options)
    : WorkflowStepDefinition<RepairCopyConsumer>(FixityEndpoints.RepairCopy, FixityStepPolicy.For(options.Value), concurrency: 2);

public sealed class RecordCheckOutcomeConsumerDefinition(IOptions<FixityOptions> options)
    : WorkflowStepDefinition<RecordCheckOutcomeConsumer>(FixityEndpoints.RecordOutcome, FixityStepPolicy.For(options.Value));
