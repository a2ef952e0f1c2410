using Bus.Persistence.Sagas;
using Bus.Contracts.Deletion;
using Bus.Deletion.StateMachines;
using Bus.Workflows.Coordination;
using MassTransit;
using Microsoft.Extensions.Options;
using static Bus.Contracts.Deletion.DeletionRefusalCodes;
using Bus.Deletion.StateMachines.Messages;

namespace Bus.Deletion.StateMachines;

/// <summary>
/// Two-person deletion: a request waits in PendingApproval until an institutional admin of the
/// item's institution other than the requester approves (Deleting, then Completed), rejects
/// (Rejected), the requester cancels (Cancelled), or the approval window passes (Expired). Every
/// refusal is answered to the caller and written to the saga. The deletion step is a separate
/// consumer (DeleteItemConsumer) so it retries, faults and replays on its own queue; while it is
/// Faulted the item stays locked and is not marked deleted.
/// </summary>
public sealed class DeletionStateMachine : MassTransitStateMachine<DeletionState>
{
    public DeletionStateMachine(IOptions<DeletionOptions> options)
    {
        var window = options.Value.ApprovalWindow;
        var o = options.Value;

        InstanceState(x => x.CurrentState);
        // A late or repeated event is acknowledged and logged, not faulted into the saga's _error queue.
        OnUnhandledEvent(StaleEvents.Ignore);

        Event(() => Requested, e => e.CorrelateById(m => m.Message.RequestId));
        Event(() => Approve, e =>
        {
            e.CorrelateById(m => m.Message.RequestId);
            e.OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(UnknownRequest(c.Message.RequestId))));
        });
        Event(() => Reject, e =>
        {
            e.CorrelateById(m => m.Message.RequestId);
            e.OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(UnknownRequest(c.Message.RequestId))));
        });
        Event(() => Cancel, e =>
        {
            e.CorrelateById(m => m.Message.RequestId);
            e.OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(UnknownRequest(c.Message.RequestId))));
        });
        Event(() => Deleted, e => e.CorrelateById(m => m.Message.RequestId));
        Event(() => DeleteFaulted, e => e.CorrelateById(m => m.Message.Message.RequestId));
        Schedule(() => ApprovalTimeout, x => x.ApprovalTimeoutTokenId, s =>
        {
            s.Delay = window;
            s.Received = r => r.CorrelateById(m => m.Message.RequestId);
        });
        Schedule(() => ItemLockRetry, x => x.ItemLockRetryTokenId, s =>
        {
            s.Delay = o.ItemLockRetryDelay;
            s.Received = r => { r.CorrelateById(m => m.Message.RequestId); r.OnMissingInstance(m => m.Discard()); };
        });

        Initially(
            When(Requested)
                .ThenAsync(CheckRequest)
                .IfElse(c => c.Saga.RefusalCode is null,
                    accepted => accepted
                        .Then(c => c.Saga.ExpiresAt = c.Saga.RequestedAt + window)
                        .Schedule(ApprovalTimeout, c => new DeletionApprovalExpired { RequestId = c.Saga.CorrelationId })
                        .TransitionTo(PendingApproval)
                        .Publish(c => new DeletionRequested
                        {
                            RequestId = c.Saga.CorrelationId, Identifier = c.Saga.Identifier, RequestedBy = c.Saga.RequestedBy,
                            Reason = c.Saga.Reason, ExpiresAt = c.Saga.ExpiresAt!.Value,
                        })
                        .ThenAsync(c => c.RespondAsync(Accepted(c.Saga))),
                    refused => refused
                        .TransitionTo(Refused)
                        .ThenAsync(c => c.RespondAsync(RecordedRefusal(c.Saga)))));

        During(PendingApproval,
            When(Approve)
                .ThenAsync(async c => Refuse(c, "approve", c.Message.By,
                    await c.GetServiceOrCreateInstance<DecisionChecks>().CheckApproverAsync(c.Saga, c.Message.By, c.CancellationToken)))
                .IfElse(c => c.Saga.RefusalCode is null,
                    approved => approved
                        .Then(c => Decide(c.Saga, c.Message.By, c.Message.Comment))
                        .Unschedule(ApprovalTimeout)
                        .Publish(c => new DeletionApproved { RequestId = c.Saga.CorrelationId, Identifier = c.Saga.Identifier, ApprovedBy = c.Saga.DecidedBy! })
                        .IfElse(c => c.Saga.HoldsItemLock,
                            locked => locked.TransitionTo(Deleting).Publish(c => DeleteItemOf(c.Saga)),
                            unlocked => TakeLockThenDelete(unlocked))
                        // Refused only when the lock came and the item was no longer deletable.
                        .ThenAsync(c => c.Saga.RefusalCode is null ? c.RespondAsync(Accepted(c.Saga)) : c.RespondAsync(RecordedRefusal(c.Saga))),
                    refused => refused.ThenAsync(c => c.RespondAsync(RecordedRefusal(c.Saga)))),
            When(Reject)
                .ThenAsync(async c => Refuse(c, "reject", c.Message.By,
                    await c.GetServiceOrCreateInstance<DecisionChecks>().CheckRejecterAsync(c.Saga, c.Message.By, c.CancellationToken)))
                .IfElse(c => c.Saga.RefusalCode is null,
                    rejected => rejected
                        .Then(c => Decide(c.Saga, c.Message.By, c.Message.Comment))
                        .Unschedule(ApprovalTimeout)
                        .ThenAsync(ReleaseLock)
                        .TransitionTo(Rejected)
                        .Publish(c => new DeletionRejected { RequestId = c.Saga.CorrelationId, Identifier = c.Saga.Identifier, RejectedBy = c.Saga.DecidedBy!, Comment = c.Saga.DecisionComment })
                        .ThenAsync(c => c.RespondAsync(Accepted(c.Saga))),
                    refused => refused.ThenAsync(c => c.RespondAsync(RecordedRefusal(c.Saga)))),
            When(Cancel)
                .Then(c => Refuse(c, "cancel", c.Message.By, DecisionChecks.CheckCanceller(c.Saga, c.Message.By)))
                .IfElse(c => c.Saga.RefusalCode is null,
                    cancelled => cancelled
                        .Then(c => Decide(c.Saga, c.Message.By, c.Message.Comment))
                        .Unschedule(ApprovalTimeout)
                        .ThenAsync(ReleaseLock)
                        .TransitionTo(Cancelled)
                        .Publish(c => new DeletionCancelled { RequestId = c.Saga.CorrelationId, Identifier = c.Saga.Identifier, CancelledBy = c.Saga.DecidedBy! })
                        .ThenAsync(c => c.RespondAsync(Accepted(c.Saga))),
                    refused => refused.ThenAsync(c => c.RespondAsync(RecordedRefusal(c.Saga)))),
            When(ApprovalTimeout.Received)
                .Then(c => { c.Saga.ApprovalTimeoutTokenId = null; c.Saga.DecidedAt = Now(); })
                .ThenAsync(ReleaseLock)
                .TransitionTo(Expired)
                .Publish(c => new DeletionExpired { RequestId = c.Saga.CorrelationId, Identifier = c.Saga.Identifier }));

        // Approved while a restore held the item lock: try again until it is free (bounded), then delete.
        During(WaitingForItem,
            When(ItemLockRetry.Received)
                .Then(c => c.Saga.ItemLockRetryTokenId = null)
                .IfElse(c => c.Saga.ItemLockWaits >= o.MaxItemLockWaits,
                    give => give
                        .Then(c =>
                        {
                            c.Saga.RefusalCode = WorkInProgress;
                            c.Saga.RefusalReason = $"approved, but the item lock was not free after {c.Saga.ItemLockWaits} attempts (held by {c.Saga.WaitingFor}): nothing was deleted";
                            c.Saga.RefusalLog += $"{Now():yyyy-MM-ddTHH:mm:ssZ} wait for item lock: {WorkInProgress}: {c.Saga.RefusalReason}\n";
                        })
                        .TransitionTo(Expired)
                        .Publish(c => new DeletionExpired { RequestId = c.Saga.CorrelationId, Identifier = c.Saga.Identifier }),
                    again => TakeLockThenDelete(again)));

        // A replay of the faulted step from its error queue ends in ItemDeleted: Faulted resumes to Completed.
        During(Deleting, Faulted,
            When(Deleted)
                .Then(c =>
                {
                    c.Saga.CompletedAt = c.Message.DeletedAt;
                    c.Saga.CopiesRemoved = c.Message.CopiesRemoved;
                    c.Saga.FaultReason = null;
                })
                .ThenAsync(ReleaseLock)
                .TransitionTo(Completed)
                .Publish(c => new DeletionCompleted
                {
                    RequestId = c.Saga.CorrelationId, Identifier = c.Saga.Identifier, CopiesRemoved = c.Saga.CopiesRemoved, DeletedAt = c.Message.DeletedAt,
                }));

        During(Deleting,
            When(DeleteFaulted)
                .Then(c =>
                {
                    c.Saga.FaultReason = string.Join("; ", c.Message.Exceptions.Select(e => $"{e.ExceptionType}: {e.Message}"));
                })
                .TransitionTo(Faulted)
                .Publish(c => new DeletionFaulted { RequestId = c.Saga.CorrelationId, Identifier = c.Saga.Identifier, Reason = c.Saga.FaultReason! }));

        // A step fault that comes again (a replay that failed again) keeps the latest reason.
        During(Faulted,
            When(DeleteFaulted)
                .Then(c => c.Saga.FaultReason = string.Join("; ", c.Message.Exceptions.Select(e => $"{e.ExceptionType}: {e.Message}"))));

        During(Completed, Ignore(Deleted), Ignore(DeleteFaulted));
        During(NotPendingStates(), Ignore(ApprovalTimeout.Received));
        During(NotPendingStates().Where(s => s != WaitingForItem).Append(PendingApproval), Ignore(ItemLockRetry.Received));

        // A decision on a request that is no longer pending changes nothing but is recorded and answered.
        During(NotPendingStates(),
            When(Approve).ThenAsync(c => c.RespondAsync(RefuseNotPending(c, "approve", c.Message.By))),
            When(Reject).ThenAsync(c => c.RespondAsync(RefuseNotPending(c, "reject", c.Message.By))),
            When(Cancel).ThenAsync(c => c.RespondAsync(RefuseNotPending(c, "cancel", c.Message.By))));

        // The same request delivered again (a client retry): answer as the first time, change nothing.
        During(NotPendingStates().Where(s => s != Refused).Append(PendingApproval),
            When(Requested).ThenAsync(c => c.RespondAsync(Accepted(c.Saga))));
        During(Refused,
            When(Requested).ThenAsync(c => c.RespondAsync(RecordedRefusal(c.Saga))));
    }

    /// <summary>Every state a deletion request can be in, read from this class (busctl delete list --state).</summary>
    public static IReadOnlyList<string> StateNames { get; } = SagaStates.Declared<DeletionStateMachine>();

    public State PendingApproval { get; private set; } = null!;
    /// <summary>Approved while a restore held the item lock: waits for it (scheduled retries), then Deleting.</summary>
    public State WaitingForItem { get; private set; } = null!;
    public State Deleting { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Rejected { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;
    public State Expired { get; private set; } = null!;
    public State Refused { get; private set; } = null!;
    /// <summary>The deletion step faulted: the item is locked and not marked deleted until a replay completes it.</summary>
    public State Faulted { get; private set; } = null!;

    public Event<RequestDeletion> Requested { get; private set; } = null!;
    public Event<ApproveDeletion> Approve { get; private set; } = null!;
    public Event<RejectDeletion> Reject { get; private set; } = null!;
    public Event<CancelDeletion> Cancel { get; private set; } = null!;
    public Event<ItemDeleted> Deleted { get; private set; } = null!;
    public Event<Fault<DeleteItem>> DeleteFaulted { get; private set; } = null!;
    public Schedule<DeletionState, DeletionApprovalExpired> ApprovalTimeout { get; private set; } = null!;
    public Schedule<DeletionState, DeletionItemLockRetry> ItemLockRetry { get; private set; } = null!;

    private State[] NotPendingStates() => [WaitingForItem, Deleting, Faulted, Completed, Rejected, Cancelled, Expired, Refused];

    /// <summary>
    /// Takes the item lock and checks again what may have changed since the request: Deleting; the lock held by
    /// another (a restore still reading): WaitingForItem and a retry scheduled; the item no longer deletable: Refused.
    /// </summary>
    private EventActivityBinder<DeletionState, T> TakeLockThenDelete<T>(EventActivityBinder<DeletionState, T> binder) where T : class =>
        binder.ThenAsync(async c =>
            {
                var check = await c.GetServiceOrCreateInstance<RequestChecks>().RecheckAsync(c.Saga, c.CancellationToken);
                c.Saga.WaitingFor = check.WaitingFor;
                c.Saga.HoldsItemLock = check.WaitingFor is null && check.Refusal is null;
                if (check.WaitingFor is not null) c.Saga.ItemLockWaits++;
                Refuse(c, "take item lock", c.Saga.DecidedBy ?? "", check.Refusal);
            })
            .IfElse(c => c.Saga.HoldsItemLock,
                locked => locked.TransitionTo(Deleting).Publish(c => DeleteItemOf(c.Saga)),
                notLocked => notLocked.IfElse(c => c.Saga.RefusalCode is null,
                    waiting => waiting.Schedule(ItemLockRetry, c => new DeletionItemLockRetry { RequestId = c.Saga.CorrelationId }).TransitionTo(WaitingForItem),
                    refused => refused.TransitionTo(Refused)));

    private static DeleteItem DeleteItemOf(DeletionState saga) => new()
    {
        RequestId = saga.CorrelationId, Identifier = saga.Identifier, RequestedBy = saga.RequestedBy, ApprovedBy = saga.DecidedBy!, Reason = saga.Reason,
    };

    private static DateTimeOffset Now() => DateTimeOffset.UtcNow;

    private static async Task CheckRequest(BehaviorContext<DeletionState, RequestDeletion> context)
    {
        var saga = context.Saga;
        var message = context.Message;
        saga.Identifier = message.Identifier ?? "";
        saga.RequestedBy = (message.RequestedBy ?? "").Trim().ToLowerInvariant();
        saga.Reason = message.Reason ?? "";
        saga.RequestedAt = Now();
        var check = await context.GetServiceOrCreateInstance<RequestChecks>().CheckAsync(message, context.CancellationToken);
        if (check.Target is { } target)
        {
            saga.ObjectIdentifier = target.ObjectIdentifier;
            saga.Institution = target.Institution;
            saga.IsFile = target.IsFile;
        }
        // Accepted while a restore reads the object: the approval waits for its lock.
        saga.HoldsItemLock = check.Refusal is null && check.WaitingFor is null;
        saga.WaitingFor = check.WaitingFor;
        Refuse(context, "request", saga.RequestedBy, check.Refusal);
    }

    /// <summary>Records <paramref name="refusal"/> on the saga (or clears the latest one when null).</summary>
    private static void Refuse(BehaviorContext<DeletionState> context, string action, string by, Refusal? refusal)
    {
        var saga = context.Saga;
        saga.RefusalCode = refusal?.Code;
        saga.RefusalReason = refusal?.Reason;
        if (refusal is null) return;
        saga.RefusalLog += $"{Now():yyyy-MM-ddTHH:mm:ssZ} {action} by {by}: {refusal.Code}: {refusal.Reason}\n";
    }

    /// <summary>
    /// Logs the refused decision but leaves RefusalCode/RefusalReason alone: on a refused request they
    /// keep saying why the request itself was refused.
    /// </summary>
    private static DeletionRefused RefuseNotPending(BehaviorContext<DeletionState> context, string action, string by)
    {
        var saga = context.Saga;
        var reason = $"deletion {saga.CorrelationId} is {saga.CurrentState}, no longer pending approval";
        saga.RefusalLog += $"{Now():yyyy-MM-ddTHH:mm:ssZ} {action} by {by}: {NotPending}: {reason}\n";
        return new() { RequestId = saga.CorrelationId, Code = NotPending, Reason = reason };
    }

    private static void Decide(DeletionState saga, string by, string? comment)
    {
        saga.DecidedBy = by.Trim().ToLowerInvariant();
        saga.DecidedAt = Now();
        saga.DecisionComment = comment;
    }

    /// <summary>Releases the item lock if this request holds it (owner = request id: releasing one held by another is a no-op).</summary>
    private static Task ReleaseLock(BehaviorContext<DeletionState> context) =>
        context.GetServiceOrCreateInstance<IItemLocks>().ReleaseAsync(context.Saga.ObjectIdentifier, context.Saga.CorrelationId, context.CancellationToken);

    private static DeletionAccepted Accepted(DeletionState saga) =>
        new() { RequestId = saga.CorrelationId, Identifier = saga.Identifier, State = saga.CurrentState };

    private static DeletionRefused RecordedRefusal(DeletionState saga) =>
        new() { RequestId = saga.CorrelationId, Code = saga.RefusalCode ?? "", Reason = saga.RefusalReason ?? "" };

    private static DeletionRefused UnknownRequest(Guid requestId) =>
        new() { RequestId = requestId, Code = DeletionRefusalCodes.UnknownRequest, Reason = $"no deletion request {requestId} exists" };
}
