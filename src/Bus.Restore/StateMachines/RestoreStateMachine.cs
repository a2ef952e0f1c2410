using Bus.Contracts.Restore;
using Bus.Persistence.Sagas;
using Bus.Registry;
using Bus.Restore.StateMachines.Messages;
using Bus.Workflows.Coordination;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Bus.Restore.StateMachines;

/// <summary>
/// A restore: take the object's item lock (WaitingForItem while a deletion or an ingest holds it, bounded),
/// Preparing (find the copies; cold ones are asked to be restored and polled on the PostgreSQL scheduler with
/// backoff: WaitingForCopies), Writing (stream every file verified into the restore bucket, in time slices; a
/// damaged copy whose fallback is cold and not restored sends the restore back to WaitingForCopies),
/// then Completed or Failed. The lock is held from the start to the end, so no deletion interleaves; a step
/// that faults after its retries leaves the restore Faulted with the lock held, and replaying the step's
/// message from its error queue carries on.
/// </summary>
public sealed class RestoreStateMachine : MassTransitStateMachine<RestoreState>
{
    public static readonly Uri PrepareAddress = new($"queue:{RestoreEndpoints.Prepare}");
    public static readonly Uri WriteAddress = new($"queue:{RestoreEndpoints.Write}");

    public RestoreStateMachine(IOptions<RestoreOptions> options)
    {
        var o = options.Value;
        InstanceState(x => x.CurrentState);
        OnUnhandledEvent(StaleEvents.Ignore);

        Event(() => ObjectRequested, e => e.CorrelateById(m => m.Message.RestoreId));
        Event(() => FileRequested, e => e.CorrelateById(m => m.Message.RestoreId));
        Event(() => Prepared, e => { e.CorrelateById(m => m.Message.RestoreId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => Written, e => { e.CorrelateById(m => m.Message.RestoreId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => WaitingForCopy, e => { e.CorrelateById(m => m.Message.RestoreId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => StepFailed, e => { e.CorrelateById(m => m.Message.RestoreId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => PrepareFaulted, e => { e.CorrelateById(m => m.Message.Message.RestoreId); e.OnMissingInstance(m => m.Discard()); });
        Event(() => WriteFaulted, e => { e.CorrelateById(m => m.Message.Message.RestoreId); e.OnMissingInstance(m => m.Discard()); });
        Schedule(() => Retry, x => x.RetryTokenId, s =>
        {
            s.Delay = o.ItemLockRetryDelay;
            s.Received = r => { r.CorrelateById(m => m.Message.RestoreId); r.OnMissingInstance(m => m.Discard()); };
        });

        Initially(
            When(ObjectRequested)
                .Then(c => Start(c.Saga, RestoreKinds.OfObject, c.Message.Identifier, c.Message.RequestedBy, c.Message.RequestedAt))
                .Then(c => SetDestination(c.Saga, c.Message.DestinationKey))
                .IfElse(c => c.Saga.FailureReason is null, TakeLockThenPrepare, Fail),
            When(FileRequested)
                .Then(c => Start(c.Saga, RestoreKinds.OfFile, c.Message.FileIdentifier, c.Message.RequestedBy, c.Message.RequestedAt))
                .IfElse(c => c.Saga.FailureReason is null, TakeLockThenPrepare, Fail));

        During(WaitingForItem,
            When(Retry.Received)
                .Then(c => c.Saga.RetryTokenId = null)
                .ThenAsync(TakeLock)
                .IfElse(c => c.Saga.LockedAt is not null,
                    locked => locked.Send(PrepareAddress, c => new PrepareRestore(c.Saga.CorrelationId)).TransitionTo(Preparing),
                    waiting => waiting.IfElse(c => c.Saga.ItemLockWaits > o.MaxItemLockWaits,
                        give => give.Then(c => c.Saga.FailureReason = $"{LockedReason(c.Saga)}: {c.Saga.FailureReason}").Then(Finish).TransitionTo(Failed)
                            .Publish(c => new RestoreFailed(c.Saga.CorrelationId, c.Saga.Identifier, c.Saga.FailureReason!, c.Saga.FinishedAt!.Value)),
                        again => again.Schedule(Retry, c => new RestoreRetry(c.Saga.CorrelationId)))));

        During(Preparing, Faulted,
            When(Prepared)
                .Then(c => { c.Saga.Files = c.Message.Files; c.Saga.Size = c.Message.Bytes; c.Saga.ColdPending = c.Message.ColdPending; c.Saga.FailureReason = null; })
                .IfElse(c => c.Message.Ready,
                    ready => ready.Send(WriteAddress, c => new WriteRestore(c.Saga.CorrelationId)).TransitionTo(Writing),
                    cold => cold.Then(c => c.Saga.ColdPolls++)
                        .IfElse(c => c.Saga.ColdPolls > o.MaxColdPolls,
                            give => give.Then(c => c.Saga.FailureReason = $"{c.Saga.ColdPending} file(s) still wait for a cold copy to be restored after {o.MaxColdPolls} polls")
                                .ThenAsync(ReleaseLock).Then(Finish).TransitionTo(Failed)
                                .Publish(c => new RestoreFailed(c.Saga.CorrelationId, c.Saga.Identifier, c.Saga.FailureReason!, c.Saga.FinishedAt!.Value)),
                            wait => wait.Schedule(Retry, c => new RestoreRetry(c.Saga.CorrelationId), c => o.ColdPollDelay(c.Saga.ColdPolls))
                                .TransitionTo(WaitingForCopies))));

        // Writing met a cold copy it must fall back to (the readable ones were damaged): poll like a plan's cold copies,
        // then write on from the checkpoint. Giving up sends the write step once more, to abort the open upload.
        During(Writing, Faulted,
            When(WaitingForCopy)
                .Then(c => { c.Saga.ColdPolls++; c.Saga.ColdPending = 1; c.Saga.FailureReason = null; })
                .IfElse(c => c.Saga.ColdPolls > o.MaxColdPolls,
                    give => give.Then(c => c.Saga.FailureReason = $"{c.Message.Detail}; still not readable after {o.MaxColdPolls} polls")
                        .ThenAsync(ReleaseLock).Then(Finish).TransitionTo(Failed)
                        .Send(WriteAddress, c => new WriteRestore(c.Saga.CorrelationId))
                        .Publish(c => new RestoreFailed(c.Saga.CorrelationId, c.Saga.Identifier, c.Saga.FailureReason!, c.Saga.FinishedAt!.Value)),
                    wait => wait.Schedule(Retry, c => new RestoreRetry(c.Saga.CorrelationId), c => o.ColdPollDelay(c.Saga.ColdPolls))
                        .TransitionTo(WaitingForCopies)));

        During(WaitingForCopies,
            When(Retry.Received)
                .Then(c => c.Saga.RetryTokenId = null)
                .Send(PrepareAddress, c => new PrepareRestore(c.Saga.CorrelationId))
                .TransitionTo(Preparing));

        During(Writing, Faulted,
            When(Written)
                .Then(c =>
                {
                    c.Saga.Bucket = c.Message.Bucket;
                    c.Saga.Key = c.Message.Key;
                    c.Saga.Size = c.Message.Size;
                    c.Saga.Files = c.Message.Files;
                    c.Saga.FailureReason = null;
                })
                .ThenAsync(ReleaseLock)
                .Then(Finish)
                .TransitionTo(Completed)
                .Publish(c => new RestoreCompleted(c.Saga.CorrelationId, c.Saga.Identifier, c.Saga.Bucket!, c.Saga.Key!, c.Saga.Size ?? 0, c.Saga.Files ?? 0, c.Saga.FinishedAt!.Value)));

        During(Preparing, Writing, Faulted,
            When(StepFailed)
                .Then(c => c.Saga.FailureReason = c.Message.Reason)
                .ThenAsync(ReleaseLock)
                .Then(Finish)
                .TransitionTo(Failed)
                .Publish(c => new RestoreFailed(c.Saga.CorrelationId, c.Saga.Identifier, c.Saga.FailureReason!, c.Saga.FinishedAt!.Value)));

        During(Preparing,
            When(PrepareFaulted).Then(c => c.Saga.FailureReason = "prepare step faulted: " + Describe(c.Message)).TransitionTo(Faulted));
        During(Writing,
            When(WriteFaulted).Then(c => c.Saga.FailureReason = "write step faulted: " + Describe(c.Message)).TransitionTo(Faulted));

        // The same request again (a client retry, a redelivery): the restore it names goes on or has ended.
        During([WaitingForItem, Preparing, WaitingForCopies, Writing, Faulted, Completed, Failed],
            Ignore(ObjectRequested), Ignore(FileRequested));
        During(Completed, Failed, Ignore(Written), Ignore(StepFailed), Ignore(Prepared), Ignore(Retry.Received), Ignore(WaitingForCopy));
    }

    /// <summary>Every state a restore can be in, read from this class (busctl restore list --state).</summary>
    public static IReadOnlyList<string> StateNames { get; } = SagaStates.Declared<RestoreStateMachine>();

    public State WaitingForItem { get; private set; } = null!;
    public State Preparing { get; private set; } = null!;
    public State WaitingForCopies { get; private set; } = null!;
    public State Writing { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    /// <summary>A step faulted after its retries: the item stays locked until a replay of the step ends the restore.</summary>
    public State Faulted { get; private set; } = null!;

    public Event<RestoreObject> ObjectRequested { get; private set; } = null!;
    public Event<RestoreFile> FileRequested { get; private set; } = null!;
    public Event<RestorePrepared> Prepared { get; private set; } = null!;
    public Event<RestoreWritten> Written { get; private set; } = null!;
    public Event<RestoreStepFailed> StepFailed { get; private set; } = null!;
    public Event<RestoreWaitingForCopy> WaitingForCopy { get; private set; } = null!;
    public Event<Fault<PrepareRestore>> PrepareFaulted { get; private set; } = null!;
    public Event<Fault<WriteRestore>> WriteFaulted { get; private set; } = null!;
    public Schedule<RestoreState, RestoreRetry> Retry { get; private set; } = null!;

    private EventActivityBinder<RestoreState, T> TakeLockThenPrepare<T>(EventActivityBinder<RestoreState, T> binder) where T : class =>
        binder.ThenAsync(TakeLock)
            .IfElse(c => c.Saga.LockedAt is not null,
                locked => locked.Send(PrepareAddress, c => new PrepareRestore(c.Saga.CorrelationId)).TransitionTo(Preparing),
                waiting => waiting.Schedule(Retry, c => new RestoreRetry(c.Saga.CorrelationId)).TransitionTo(WaitingForItem));

    private EventActivityBinder<RestoreState, T> Fail<T>(EventActivityBinder<RestoreState, T> binder) where T : class =>
        binder.Then(Finish).TransitionTo(Failed)
            .Publish(c => new RestoreFailed(c.Saga.CorrelationId, c.Saga.Identifier, c.Saga.FailureReason!, c.Saga.FinishedAt!.Value));

    /// <summary>Records the request; an identifier that is not one (or not of the kind asked) fails at once, nothing locked.</summary>
    private static void Start(RestoreState saga, string kind, string? identifier, string? requestedBy, DateTimeOffset requestedAt)
    {
        saga.Kind = kind;
        saga.Identifier = (identifier ?? "").Trim();
        saga.RequestedBy = (requestedBy ?? "").Trim().ToLowerInvariant();
        saga.RequestedAt = requestedAt == default ? DateTimeOffset.UtcNow : requestedAt;
        if (saga.CorrelationId == Guid.Empty) saga.FailureReason = "the restore id must not be empty";
        else if (!Identifiers.TryParse(saga.Identifier, out var parsed, out var error)) saga.FailureReason = error;
        else if (parsed.IsFile != (kind == RestoreKinds.OfFile))
            saga.FailureReason = kind == RestoreKinds.OfFile ? $"'{saga.Identifier}' is an object identifier, not a file's" : $"'{saga.Identifier}' is a file identifier, not an object's";
        else
        {
            saga.ObjectIdentifier = parsed.ObjectIdentifier;
            saga.Institution = parsed.Institution;
        }
    }

    /// <summary>An object restore may name where its tar goes, within the bounds <see cref="Steps.RestoreKeys.DestinationError"/> sets.</summary>
    private static void SetDestination(RestoreState saga, string? key)
    {
        if (key is null || saga.FailureReason is not null) return;
        saga.FailureReason = Steps.RestoreKeys.DestinationError(saga.Institution, key);
        if (saga.FailureReason is null) saga.DestinationKey = key;
    }

    private static async Task TakeLock(BehaviorContext<RestoreState> context)
    {
        var saga = context.Saga;
        var result = await context.GetServiceOrCreateInstance<IItemLocks>().TryAcquireAsync(saga.ObjectIdentifier, ItemLockKinds.Restore, saga.CorrelationId, context.CancellationToken);
        if (result.Acquired)
        {
            saga.LockedAt = DateTimeOffset.UtcNow;
            saga.FailureReason = null;
            return;
        }
        saga.ItemLockWaits++;
        var h = result.Holder;
        saga.FailureReason = $"'{saga.ObjectIdentifier}' is locked by {h.Kind} {h.Owner} since {h.Since:u}";
    }

    private static string LockedReason(RestoreState saga) => $"the item lock was not free after {saga.ItemLockWaits} attempts";

    private static Task ReleaseLock(BehaviorContext<RestoreState> context) =>
        context.Saga.LockedAt is null
            ? Task.CompletedTask
            : context.GetServiceOrCreateInstance<IItemLocks>().ReleaseAsync(context.Saga.ObjectIdentifier, context.Saga.CorrelationId, context.CancellationToken);

    private static void Finish(BehaviorContext<RestoreState> context) => context.Saga.FinishedAt = DateTimeOffset.UtcNow;

    private static string Describe<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType}: {e.Message}" : "unknown error";
}
