using Bus.Workflows.Steps;
using Microsoft.Extensions.Options;

namespace Bus.Deletion.Steps;

/// <summary>
/// Endpoint policy of the deletion step (the kit's step definition): retry with backoff in-process (storage and
/// registry hiccups), then scheduled redelivery through the PostgreSQL scheduler, then fault to
/// <c>deletion-delete-item_error</c>, from where an operator replays it once the cause is fixed. Every error counts:
/// a deletion step has no error that a later try can't fix. One deletion at a time per process: deletions are rare
/// and S3 deletes are cheap, so serialising them keeps load and logs simple.
/// </summary>
public sealed class DeleteItemConsumerDefinition(IOptions<DeletionOptions> options)
    : WorkflowStepDefinition<DeleteItemConsumer>(DeletionQueues.DeleteItem, Policy(options.Value), concurrency: 1)
{
    private static StepFailurePolicy Policy(DeletionOptions o) =>
        new(_ => true, o.StepRetryLimit, Enumerable.Range(1, o.StepRedeliveryLimit).Select(i => o.StepRedeliveryDelay * i).ToArray(),
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2));
}
