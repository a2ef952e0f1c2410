using Bus.Restore.Steps;
using Bus.Workflows.Steps;
using Microsoft.Extensions.Options;

namespace Bus.Restore.SpotTests;

// The spot test step endpoints: the kit's step definition with restore's failure policy (RestoreStepPolicy).

/// <summary>Each validation streams a tar and keeps its tag files: a few at once per host.</summary>
public sealed class ValidateSpotTestConsumerDefinition(IOptions<RestoreOptions> options)
    : WorkflowStepDefinition<ValidateSpotTestConsumer>(SpotTestEndpoints.Validate, RestoreStepPolicy.For(options.Value), concurrency: 2);

public sealed class FinishSpotTestConsumerDefinition(IOptions<RestoreOptions> options)
    : WorkflowStepDefinition<FinishSpotTestConsumer>(SpotTestEndpoints.Finish, RestoreStepPolicy.For(options.Value), concurrency: 4);
