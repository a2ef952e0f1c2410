using Bus.Deletion.StateMachines.Messages;
using Bus.Platform.Options;
using Bus.Workflows.Steps;
using Bus.Workflows.Watchdog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Deletion.StateMachines;

/// <summary>
/// What the saga watchdog knows of a deletion: Deleting waits on DeleteItem (the step re-reads the approved request
/// and counts a missing key as deleted, so a second one finishes what the first began). The other states wait on a
/// person (PendingApproval, with its expiry scheduled) or an operator (Faulted).
/// </summary>
public static class DeletionWatch
{
    /// <summary>
    /// Delete-item has no time slice: one delivery is bounded by RabbitMQ's 30-minute consumer timeout, which the
    /// formula's two slices of 15 minutes cover. Retries and redeliveries as DeleteItemConsumerDefinition sets them.
    /// </summary>
    public static SagaWatch<DeletionState> Create(DeletionOptions options)
    {
        var redeliveries = Enumerable.Range(1, options.StepRedeliveryLimit).Select(i => options.StepRedeliveryDelay * i).ToArray();
        var limit = StuckLimit.For(TimeSpan.FromMinutes(15), new StepFailurePolicy(_ => true, options.StepRetryLimit, redeliveries));
        return new SagaWatch<DeletionState>("deletion")
            .Resend(nameof(DeletionStateMachine.Deleting), limit, s => new(WorkflowQueues.Address(DeletionQueues.DeleteItem), new DeleteItem
            {
                RequestId = s.CorrelationId, Identifier = s.Identifier, RequestedBy = s.RequestedBy, ApprovedBy = s.DecidedBy ?? "", Reason = s.Reason,
            }))
            .Leave(nameof(DeletionStateMachine.PendingApproval), "waits for an admin's decision; its expiry is a scheduled message")
            .Leave(nameof(DeletionStateMachine.WaitingForItem), "its item-lock retry is a scheduled message, sent by the scheduler")
            .Leave(nameof(DeletionStateMachine.Faulted), "the delete step faulted after its retries: it waits for an operator's replay")
            .IdentifiedBy(s => s.ObjectIdentifier);
    }

    /// <summary>For the scheduler role's watchdog, whichever roles the process runs.</summary>
    public static IServiceCollection AddDeletionWatch(this IServiceCollection services, IConfiguration configuration)
    {
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<DeletionOptions>))) services.AddBusOptions<DeletionOptions>(configuration);
        return services.AddSagaWatch(sp => Create(sp.GetRequiredService<IOptions<DeletionOptions>>().Value));
    }
}
