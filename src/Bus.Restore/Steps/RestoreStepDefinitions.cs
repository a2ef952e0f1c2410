using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;

namespace Bus.Restore.Steps;

// The restore step endpoints: the kit's step definition with RestoreStepPolicy.

public sealed class PrepareRestoreConsumerDefinition(IOptions<RestoreOptions> options)
    : WorkflowStepDefinition<PrepareRestoreConsumer>(RestoreEndpoints.Prepare, RestoreStepPolicy.For(options.Value), concurrency: 4);

/// <summary>Each write holds two part buffers: two at once keep a host's memory bounded.</summary>
public sealed class WriteRestoreConsumerDefinition(IOptions<RestoreOptions> options)
    : WorkflowStepDefinition<WriteRestoreConsumer>(RestoreEndpoints.Write, RestoreStepPolicy.For(options.Value), concurrency: 2);
