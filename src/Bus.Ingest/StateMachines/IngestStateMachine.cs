using Bus.Persistence.Sagas;
using System.Text.Json;
using Bus.Contracts.Ingest;
using Bus.Workflows.Coordination;
using Bus.Registry;
using Bus.Registry.Store;
using MassTransit;
using Microsoft.Extensions.Options;
using Bus.Ingest.StateMachines.Messages;

namespace Bus.Ingest.StateMachines;

/// <summary>
/// Carries a bag from the receiving bucket to two verified copies and registry rows. Each step is a
/// command to its own queue; the step's event moves the saga on. A step's <c>Fault&lt;T&gt;</c>
/// (retries exhausted) parks the saga in Faulted; when an operator replays the command from the
/// step's <c>_error</c> queue, the step's event arrives in Faulted and the saga continues from there.
/// Terminal states are ordinary states, never finalized: the row stays, so a duplicate submit of a
/// finished ingest still finds it and is ignored.
/// The object's item lock (shared with deletion) is taken once Unpack names the bag, before Validate
/// looks the object up and before anything reaches preservation storage or the registry; it is held
/// through Faulted and released on Completed, Rejected, Failed and Cancelled. While a deletion holds
/// it the saga waits in WaitingForItem, retrying through the scheduler, and fails with
/// <see cref="IngestFailureCodes.ItemLocked"/> after <see cref="IngestOptions.ItemLockMaxWaits"/> retries.
/// </summary>
public sealed class IngestStateMachine : MassTransitStateMachine<IngestState>
{
    private readonly IngestQueues _queues;
    private readonly int _itemLockMaxWaits;
    private readonly TimeSpan _itemLockRetryDelay;

    public IngestStateMachine(IngestQueues queues, IOptions<IngestOptions> options)
    {
        var deleteReceiving = options.Value.DeleteReceivingObject;
        _queues = queues;
        _itemLockMaxWaits = options.Value.ItemLockMaxWaits;
        _itemLockRetryDelay = options.Value.ItemLockRetryDelay;
        InstanceState(x => x.CurrentState);
        // A late or repeated event is acknowledged and logged, not faulted into the saga's _error queue.
        OnUnhandledEvent(StaleEvents.Ignore);

        Event(() => Submitted, x => x.CorrelateById(m => m.Message.IngestId));
        Event(() => Resubmitted, x => x.CorrelateById(m => m.Message.IngestId));
        Event(() => CancelRequested, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => StatusRequested, x =>
        {
            x.CorrelateById(m => m.Message.IngestId);
            x.OnMissingInstance(m => m.ExecuteAsync(c => c.RespondAsync(new IngestNotFound(c.Message.IngestId))));
        });
        // Every host's saga queue may see a step event (published, fanned out): unknown ids are not ours.
        Event(() => StepStarted, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => StepProgress, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => Unpacked, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => Invalid, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => Validated, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => Identified, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => Stored, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => Verified, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => Recorded, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => CleanedUp, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => Compensated, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => StepFailed, x => { x.CorrelateById(m => m.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => UnpackFaulted, x => { x.CorrelateById(m => m.Message.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => ValidateFaulted, x => { x.CorrelateById(m => m.Message.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => IdentifyFaulted, x => { x.CorrelateById(m => m.Message.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => StoreFaulted, x => { x.CorrelateById(m => m.Message.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => VerifyFaulted, x => { x.CorrelateById(m => m.Message.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => RecordFaulted, x => { x.CorrelateById(m => m.Message.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => CleanUpFaulted, x => { x.CorrelateById(m => m.Message.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Event(() => CompensateFaulted, x => { x.CorrelateById(m => m.Message.Message.IngestId); x.OnMissingInstance(m => m.Discard()); });
        Schedule(() => ItemLockRetry, x => x.ItemLockRetryTokenId, s =>
        {
            s.Delay = _itemLockRetryDelay;
            s.Received = r => { r.CorrelateById(m => m.Message.IngestId); r.OnMissingInstance(m => m.Discard()); };
        });

        // A submit is checked before anything is read (SubmissionCheck): refused, it is Rejected at once.
        // IngestResubmitted comes only from this saga (integrators cannot publish it), for a submit it checked.
        Initially(
            When(Submitted)
                .ThenAsync(c => AdmitAsync(c, c.Message))
                .IfElse(c => c.Saga.Rejections is null, b => Begin(b), RefuseSubmission),
            Begin(When(Resubmitted).Then(c => Accept(c.Saga, c.Message.Submission, c.Message.PredecessorId))));

        // A submit of an upload whose ingest runs (or was rejected: the same bytes are rejected again)
        // is that ingest; the time is kept so a waiting client knows it was seen.
        During([Received, Unpacking, WaitingForItem, Validating, Identifying, Storing, Verifying, Recording, CleaningUp, Faulted],
            When(Submitted).Then(c => c.Saga.SubmissionSeen(c.Message)),
            When(Resubmitted).Then(c => c.Saga.SubmissionSeen(c.Message.Submission)));
        // A submit refused at the door read and stored nothing: an authorized submit of the same upload
        // (same id) starts the ingest, so a forged submit cannot block the depositor's own.
        During(Rejected,
            When(Submitted).IfElse(c => RefusedAtSubmission(c.Saga),
                retry => retry.ThenAsync(c => AdmitAsync(c, c.Message)).If(c => c.Saga.Rejections is null, b => Begin(b)),
                seen => seen.Then(c => c.Saga.SubmissionSeen(c.Message))),
            When(Resubmitted).Then(c => c.Saga.SubmissionSeen(c.Message.Submission)));

        // After an ingest ended, a submit sent later is a new ingest when this one preserved nothing
        // (failed, cancelled) or its object changed since (deleted, reingested from elsewhere); then
        // it and every later submit go on to the successor, whose id derives from this one.
        During(Completed,
            HandOn(When(Submitted).ThenAsync(c => DecideSuccessorAsync(c, c.Message, nothingPreserved: false, check: true)), m => m),
            HandOn(When(Resubmitted).ThenAsync(c => DecideSuccessorAsync(c, c.Message.Submission, nothingPreserved: false, check: false)), m => m.Submission));
        During(Failed, Cancelled,
            HandOn(When(Submitted).ThenAsync(c => DecideSuccessorAsync(c, c.Message, nothingPreserved: true, check: true)), m => m),
            HandOn(When(Resubmitted).ThenAsync(c => DecideSuccessorAsync(c, c.Message.Submission, nothingPreserved: true, check: false)), m => m.Submission));

        // A replayed command's event arrives in Faulted: the saga resumes from that step.
        During(Received, Unpacking, Faulted,
            When(Unpacked)
                .Then(c =>
                {
                    c.Saga.BagName = c.Message.BagName;
                    c.Saga.FileCount = c.Message.FileCount;
                    c.Saga.Bytes = c.Message.Bytes;
                    c.Saga.StepFinished(IngestSteps.Unpack, IngestSteps.Validate, c.Message.At);
                    c.Saga.ObjectIdentifier = Identifiers.ForObject(c.Saga.Institution, c.Message.BagName);
                })
                .ThenAsync(TakeItemLock)
                .IfElse(c => c.Saga.ItemLockedAt is not null, ValidateNext, WaitForItemOrFail));

        During(WaitingForItem,
            When(ItemLockRetry.Received)
                .ThenAsync(TakeItemLock)
                .IfElse(c => c.Saga.ItemLockedAt is not null, ValidateNext, WaitForItemOrFail));

        During(Received, Unpacking, Validating, Faulted,
            When(Invalid)
                .Then(c =>
                {
                    c.Saga.Rejections = JsonSerializer.Serialize(c.Message.Reasons);
                    c.Saga.LastError = string.Join("; ", c.Message.Reasons.Take(5).Select(r => r.Code));
                    c.Saga.FinishedAt = c.Message.At;
                    c.Saga.CurrentStep = null;
                })
                // Nothing reached preservation storage; staging objects of the invalid bag go.
                .ThenAsync(ReleaseItemLock)
                .Send(_ => IngestQueues.Address(queues.Compensate), c => new CompensateIngest(c.Saga.CorrelationId, "rejected"))
                .Publish(c => new IngestRejected(c.Saga.CorrelationId, c.Message.Reasons, c.Message.At))
                .TransitionTo(Rejected));

        During(Validating, Faulted,
            When(Validated)
                .Then(c =>
                {
                    c.Saga.ObjectIdentifier = c.Message.ObjectIdentifier;
                    c.Saga.StorageOption = c.Message.StorageOption;
                    c.Saga.Reingest = c.Message.Reingest;
                    c.Saga.StepFinished(IngestSteps.Validate, IngestSteps.Identify, c.Message.At);
                })
                .Send(_ => IngestQueues.Address(queues.Identify), c => new IdentifyFormats(c.Saga.CorrelationId))
                .TransitionTo(Identifying));

        During(Identifying, Faulted,
            When(Identified)
                .Then(c => c.Saga.StepFinished(IngestSteps.Identify, IngestSteps.Store, c.Message.At))
                .Send(_ => IngestQueues.Address(queues.Store), c => new StoreFiles(c.Saga.CorrelationId))
                .TransitionTo(Storing));

        During(Storing, Faulted,
            When(Stored)
                .Then(c =>
                {
                    c.Saga.FilesStored = c.Message.CopiesMade;
                    c.Saga.StepFinished(IngestSteps.Store, IngestSteps.Verify, c.Message.At);
                })
                .Send(_ => IngestQueues.Address(queues.Verify), c => new VerifyCopies(c.Saga.CorrelationId))
                .TransitionTo(Verifying));

        During(Verifying, Faulted,
            When(Verified)
                .Then(c => c.Saga.StepFinished(IngestSteps.Verify, IngestSteps.Record, c.Message.At))
                .Send(_ => IngestQueues.Address(queues.Record), c => new RecordIngest(c.Saga.CorrelationId))
                .TransitionTo(Recording));

        During(Recording, Faulted,
            When(Recorded)
                .Then(c => c.Saga.StepFinished(IngestSteps.Record, IngestSteps.CleanUp, c.Message.At))
                .Send(_ => IngestQueues.Address(queues.CleanUp), c => new CleanUpIngest(c.Saga.CorrelationId, c.Saga.Bucket, c.Saga.Key, deleteReceiving))
                .TransitionTo(CleaningUp));

        During(CleaningUp, Faulted,
            When(CleanedUp)
                .Then(c =>
                {
                    c.Saga.StepFinished(IngestSteps.CleanUp, null, c.Message.At);
                    c.Saga.FinishedAt = c.Message.At;
                })
                .ThenAsync(ReleaseItemLock)
                .Publish(c => new IngestCompleted(c.Saga.CorrelationId, c.Saga.ObjectIdentifier ?? "", c.Saga.FileCount, c.Saga.Bytes,
                    c.Saga.FilesStored, c.Saga.Reingest, c.Message.At))
                .TransitionTo(Completed));

        During([Received, Unpacking, WaitingForItem, Validating, Identifying, Storing, Verifying, Recording, CleaningUp, Faulted],
            When(StepFailed)
                .Then(c =>
                {
                    c.Saga.LastError = $"{c.Message.Step}: {c.Message.Code}: {c.Message.Message}";
                    c.Saga.FinishedAt = c.Message.At;
                })
                .ThenAsync(ReleaseItemLock)
                .Send(_ => IngestQueues.Address(queues.Compensate), c => new CompensateIngest(c.Saga.CorrelationId, "failed: " + c.Message.Code))
                .Publish(c => new IngestFailed(c.Saga.CorrelationId, c.Message.Step, c.Message.Message, c.Message.At, c.Message.Code))
                .TransitionTo(Failed),
            When(CancelRequested)
                .Then(c =>
                {
                    c.Saga.CancelledBy = c.Message.RequestedBy;
                    c.Saga.LastError = "cancelled by " + c.Message.RequestedBy + (c.Message.Reason is { } r ? ": " + r : "");
                    c.Saga.FinishedAt = DateTimeOffset.UtcNow;
                })
                .ThenAsync(ReleaseItemLock)
                .Send(_ => IngestQueues.Address(queues.Compensate), c => new CompensateIngest(c.Saga.CorrelationId, "cancelled"))
                .Publish(c => new IngestCancelled(c.Saga.CorrelationId, c.Message.RequestedBy, c.Saga.FinishedAt ?? DateTimeOffset.UtcNow))
                .TransitionTo(Cancelled));

        During([Received, Unpacking, Validating, Identifying, Storing, Verifying, Recording, CleaningUp],
            When(UnpackFaulted).Then(c => Park(c.Saga, IngestSteps.Unpack, c.Message)).Publish(c => Parked(c.Saga)).TransitionTo(Faulted),
            When(ValidateFaulted).Then(c => Park(c.Saga, IngestSteps.Validate, c.Message)).Publish(c => Parked(c.Saga)).TransitionTo(Faulted),
            When(IdentifyFaulted).Then(c => Park(c.Saga, IngestSteps.Identify, c.Message)).Publish(c => Parked(c.Saga)).TransitionTo(Faulted),
            When(StoreFaulted).Then(c => Park(c.Saga, IngestSteps.Store, c.Message)).Publish(c => Parked(c.Saga)).TransitionTo(Faulted),
            When(VerifyFaulted).Then(c => Park(c.Saga, IngestSteps.Verify, c.Message)).Publish(c => Parked(c.Saga)).TransitionTo(Faulted),
            When(RecordFaulted).Then(c => Park(c.Saga, IngestSteps.Record, c.Message)).Publish(c => Parked(c.Saga)).TransitionTo(Faulted),
            When(CleanUpFaulted).Then(c => Park(c.Saga, IngestSteps.CleanUp, c.Message)).Publish(c => Parked(c.Saga)).TransitionTo(Faulted));

        During(Received,
            When(StepStarted, c => c.Message.Step == IngestSteps.Unpack)
                .TransitionTo(Unpacking));

        During(Rejected, Failed, Cancelled,
            When(Compensated).Then(c =>
            {
                c.Saga.CompensatedAt = c.Message.At;
                c.Saga.CompensationStagingDeleted += c.Message.StagingDeleted;
                c.Saga.CompensationCopiesDeleted += c.Message.CopiesDeleted;
            }),
            When(CompensateFaulted).Then(c => c.Saga.LastError = "compensation faulted: " + FirstError(c.Message)),
            // A step that was in flight when the ingest ended reports late: its work is compensated, its news ignored.
            Ignore(Unpacked), Ignore(Invalid), Ignore(Validated), Ignore(Identified), Ignore(Stored), Ignore(Verified),
            Ignore(Recorded), Ignore(CleanedUp), Ignore(StepFailed), Ignore(CancelRequested),
            Ignore(UnpackFaulted), Ignore(ValidateFaulted), Ignore(IdentifyFaulted), Ignore(StoreFaulted), Ignore(VerifyFaulted),
            Ignore(RecordFaulted), Ignore(CleanUpFaulted));

        During(Completed,
            Ignore(CancelRequested), Ignore(CleanedUp), Ignore(Recorded), Ignore(StepFailed), Ignore(CleanUpFaulted));

        // A step's result delivered again after the saga moved on (a redelivered step command whose first
        // run already reported, an Unpack continuation that found the bag unpacked) changes nothing.
        During([Validating, Identifying, Storing, Verifying, Recording, CleaningUp, Completed], Ignore(Unpacked));
        During([Identifying, Storing, Verifying, Recording, CleaningUp, Completed], Ignore(Validated), Ignore(Invalid));
        During([Storing, Verifying, Recording, CleaningUp, Completed], Ignore(Identified));
        During([Verifying, Recording, CleaningUp, Completed], Ignore(Stored));
        During([Recording, CleaningUp, Completed], Ignore(Verified));
        During(CleaningUp, Ignore(Recorded));

        // A replayed Unpack reporting while the saga waits for the item changes nothing: the bag was unpacked.
        During(WaitingForItem, Ignore(Unpacked), Ignore(UnpackFaulted));

        // A retry scheduled while waiting that arrives after the saga moved on (cancelled meanwhile) is stale.
        During([Received, Unpacking, Validating, Identifying, Storing, Verifying, Recording, CleaningUp, Completed, Rejected, Failed, Cancelled, Faulted],
            Ignore(ItemLockRetry.Received));

        DuringAny(
            When(StepStarted)
                .Then(c => c.Saga.StepAttempted(c.Message.Step, c.Message.At)),
            When(StepProgress)
                .Then(c =>
                {
                    c.Saga.ProgressDone = c.Message.Done;
                    c.Saga.ProgressTotal = c.Message.Total;
                }),
            When(StatusRequested)
                .Respond(c => Status(c.Saga)));
    }

    private static void Accept(IngestState saga, SubmitIngest m, Guid? predecessor)
    {
        saga.Institution = m.Institution;
        saga.Bucket = m.Bucket;
        saga.Key = m.Key;
        saga.ETag = IngestIds.NormalizeETag(m.ETag);
        saga.Size = m.Size;
        saga.RequestedStorageOption = m.StorageOption;
        saga.SubmittedBy = m.SubmittedBy;
        saga.ReceivedAt = DateTimeOffset.UtcNow;
        saga.CurrentStep = IngestSteps.Unpack;
        saga.Supersedes = predecessor;
        saga.SubmissionSeen(m);
    }

    /// <summary>Fills the saga from <paramref name="m"/>; when <see cref="SubmissionCheck"/> refuses it, records why (Rejections, LastError).</summary>
    private static async Task AdmitAsync<T>(BehaviorContext<IngestState, T> c, SubmitIngest m) where T : class
    {
        var (refusal, submitter) = await SubmissionCheck.CheckAsync(c, m);
        var saga = c.Saga;
        Accept(saga, m, null);
        saga.SubmittedBy = submitter;
        saga.Rejections = null;
        saga.LastError = null;
        saga.FinishedAt = null;
        if (refusal is null) return;
        saga.Rejections = JsonSerializer.Serialize(new List<IngestRejection> { new(IngestRejectionCodes.SubmissionRefused, refusal) });
        saga.LastError = $"{IngestRejectionCodes.SubmissionRefused}: {refusal}";
        saga.FinishedAt = DateTimeOffset.UtcNow;
        saga.CurrentStep = null;
    }

    private static bool RefusedAtSubmission(IngestState saga) =>
        saga.LastError?.StartsWith(IngestRejectionCodes.SubmissionRefused + ":", StringComparison.Ordinal) == true;

    private EventActivityBinder<IngestState, T> RefuseSubmission<T>(EventActivityBinder<IngestState, T> binder) where T : class =>
        binder
            .Publish(c => new IngestRejected(c.Saga.CorrelationId, Status(c.Saga).Rejections, c.Saga.FinishedAt ?? DateTimeOffset.UtcNow))
            .TransitionTo(Rejected);

    private sealed record RefusedSubmission(string Reason);

    private EventActivityBinder<IngestState, T> Begin<T>(EventActivityBinder<IngestState, T> binder) where T : class =>
        binder
            .Send(_ => IngestQueues.Address(_queues.Unpack), c => new UnpackBag(c.Saga.CorrelationId, c.Saga.Institution, c.Saga.Bucket, c.Saga.Key, c.Saga.ETag))
            .Publish(c => new IngestAccepted(c.Saga.CorrelationId, c.Saga.Institution, c.Saga.Bucket, c.Saga.Key, c.Saga.ReceivedAt))
            .TransitionTo(Received);

    /// <summary>Once this ingest has a successor, every submission of its upload goes on to it.</summary>
    private static EventActivityBinder<IngestState, T> HandOn<T>(EventActivityBinder<IngestState, T> binder, Func<T, SubmitIngest> submission)
        where T : class =>
        binder.If(c => c.Saga.SupersededBy is not null && !c.TryGetPayload<RefusedSubmission>(out _),
            handOn => handOn.Publish(c => new IngestResubmitted(c.Saga.CorrelationId, submission(c.Message))));

    /// <summary>
    /// Names the successor when <paramref name="m"/> was sent after this ingest ended and there is
    /// something to preserve: always after a failure or cancel (nothing was kept), after completion only
    /// when the registry says the object changed since. A submit sent before the end is a duplicate.
    /// </summary>
    private static async Task DecideSuccessorAsync<T>(BehaviorContext<IngestState, T> c, SubmitIngest m, bool nothingPreserved, bool check) where T : class
    {
        var saga = c.Saga;
        // A refused submit neither starts a successor nor is handed on to one.
        if (check && (await SubmissionCheck.CheckAsync(c, m)).Refusal is { } refusal)
        {
            c.GetOrAddPayload(() => new RefusedSubmission(refusal));
            return;
        }
        saga.SubmissionSeen(m);
        if (saga.SupersededBy is not null || saga.FinishedAt is not { } finished || m.SubmittedAt <= finished) return;
        var anew = nothingPreserved || saga.ObjectIdentifier is null || await c.GetServiceOrCreateInstance<RegistryDatabase>()
            .RunAsync(s => s.ObjectChangedSinceIngestAsync(saga.ObjectIdentifier, saga.CorrelationId, finished, c.CancellationToken), c.CancellationToken);
        if (anew) saga.SupersededBy = IngestIds.SuccessorOf(saga.CorrelationId);
    }

    /// <summary>
    /// Takes (or, for the same ingest after a redelivery, re-takes) the object's item lock. The lock row
    /// is written on its own connection before the saga row commits: if that commit fails, the retried
    /// message finds the lock already ours.
    /// </summary>
    private static async Task TakeItemLock(BehaviorContext<IngestState> c)
    {
        var saga = c.Saga;
        var result = await c.GetServiceOrCreateInstance<IItemLocks>()
            .TryAcquireAsync(saga.ObjectIdentifier!, ItemLockKinds.Ingest, saga.CorrelationId, c.CancellationToken);
        if (result.Acquired)
        {
            saga.ItemLockedAt ??= result.Holder.Since;
            saga.LastError = null;
            return;
        }
        saga.ItemLockWaits++;
        var h = result.Holder;
        saga.LastError = $"{IngestSteps.Validate}: {IngestFailureCodes.ItemLocked}: '{saga.ObjectIdentifier}' is locked by {h.Kind} {h.Owner} since {h.Since:u}";
    }

    /// <summary>
    /// Releases whatever lock this ingest holds on the object, also when the saga never recorded taking
    /// it (a lock written whose saga commit then failed): release only deletes a row this ingest owns.
    /// </summary>
    private static Task ReleaseItemLock(BehaviorContext<IngestState> c) =>
        c.Saga.ObjectIdentifier is null
            ? Task.CompletedTask
            : c.GetServiceOrCreateInstance<IItemLocks>().ReleaseAsync(c.Saga.ObjectIdentifier, c.Saga.CorrelationId, c.CancellationToken);

    private EventActivityBinder<IngestState, T> ValidateNext<T>(EventActivityBinder<IngestState, T> binder) where T : class =>
        binder
            .Send(_ => IngestQueues.Address(_queues.Validate), c => new ValidateBag(c.Saga.CorrelationId, c.Saga.Institution, c.Saga.RequestedStorageOption))
            .TransitionTo(Validating);

    /// <summary>Another workflow holds the item: wait for a scheduled retry, or fail once the waits are spent.</summary>
    private EventActivityBinder<IngestState, T> WaitForItemOrFail<T>(EventActivityBinder<IngestState, T> binder) where T : class =>
        binder.IfElse(c => c.Saga.ItemLockWaits > _itemLockMaxWaits,
            fail => fail
                .Then(c =>
                {
                    c.Saga.LastError += $"; gave up after {c.Saga.ItemLockWaits - 1} retries";
                    c.Saga.FinishedAt = DateTimeOffset.UtcNow;
                    c.Saga.CurrentStep = null;
                })
                .Send(_ => IngestQueues.Address(_queues.Compensate), c => new CompensateIngest(c.Saga.CorrelationId, "failed: " + IngestFailureCodes.ItemLocked))
                .Publish(c => new IngestFailed(c.Saga.CorrelationId, IngestSteps.Validate, c.Saga.LastError ?? "", c.Saga.FinishedAt ?? DateTimeOffset.UtcNow,
                    IngestFailureCodes.ItemLocked))
                .TransitionTo(Failed),
            wait => wait
                .Schedule(ItemLockRetry, c => new IngestItemLockRetry(c.Saga.CorrelationId))
                .TransitionTo(WaitingForItem));

    private static void Park<T>(IngestState saga, string step, Fault<T> fault)
    {
        saga.CurrentStep = step;
        saga.LastError = $"{step}: {FirstError(fault)}";
    }

    private static IngestFaulted Parked(IngestState saga) =>
        new(saga.CorrelationId, saga.CurrentStep ?? "", saga.LastError ?? "", DateTimeOffset.UtcNow);

    private static string FirstError<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType}: {e.Message}" : "fault without exception information";

    public static IngestStatus Status(IngestState s) => new(
        s.CorrelationId, s.CurrentState, s.Institution, s.Key, s.ObjectIdentifier, s.CurrentStep, s.LastError,
        s.Rejections is null ? [] : JsonSerializer.Deserialize<List<IngestRejection>>(s.Rejections) ?? [],
        s.StepTimings(), s.FileCount, s.Bytes, s.ProgressDone, s.ProgressTotal, s.ReceivedAt, s.FinishedAt,
        s.SupersededBy, s.Supersedes, s.LastSubmittedAt);

    /// <summary>Every state an ingest row can be in, read from this class (busctl ingest list --state).</summary>
    public static IReadOnlyList<string> StateNames { get; } = SagaStates.Declared<IngestStateMachine>();

    /// <summary>The states an ingest never leaves (the status view's terminal ones). Faulted is not one: it waits for a replay or a cancel.</summary>
    public static IReadOnlyList<string> EndStates { get; } = [nameof(Completed), nameof(Rejected), nameof(Failed), nameof(Cancelled)];

    public State Received { get; private set; } = null!;
    public State Unpacking { get; private set; } = null!;
    public State Validating { get; private set; } = null!;
    public State Identifying { get; private set; } = null!;
    public State Storing { get; private set; } = null!;
    public State Verifying { get; private set; } = null!;
    public State Recording { get; private set; } = null!;
    public State CleaningUp { get; private set; } = null!;
    /// <summary>Unpacked, but another workflow (a deletion) holds the object's item lock: a retry is scheduled.</summary>
    public State WaitingForItem { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Rejected { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;
    public State Faulted { get; private set; } = null!;

    public Event<SubmitIngest> Submitted { get; private set; } = null!;
    public Event<IngestResubmitted> Resubmitted { get; private set; } = null!;
    public Event<CancelIngest> CancelRequested { get; private set; } = null!;
    public Event<GetIngestStatus> StatusRequested { get; private set; } = null!;
    public Event<IngestStepStarted> StepStarted { get; private set; } = null!;
    public Event<IngestStepProgress> StepProgress { get; private set; } = null!;
    public Event<BagUnpacked> Unpacked { get; private set; } = null!;
    public Event<BagInvalid> Invalid { get; private set; } = null!;
    public Event<BagValidated> Validated { get; private set; } = null!;
    public Event<FormatsIdentified> Identified { get; private set; } = null!;
    public Event<FilesStored> Stored { get; private set; } = null!;
    public Event<CopiesVerified> Verified { get; private set; } = null!;
    public Event<IngestRecorded> Recorded { get; private set; } = null!;
    public Event<IngestCleanedUp> CleanedUp { get; private set; } = null!;
    public Event<IngestCompensated> Compensated { get; private set; } = null!;
    public Event<IngestStepFailed> StepFailed { get; private set; } = null!;
    public Event<Fault<UnpackBag>> UnpackFaulted { get; private set; } = null!;
    public Event<Fault<ValidateBag>> ValidateFaulted { get; private set; } = null!;
    public Event<Fault<IdentifyFormats>> IdentifyFaulted { get; private set; } = null!;
    public Event<Fault<StoreFiles>> StoreFaulted { get; private set; } = null!;
    public Event<Fault<VerifyCopies>> VerifyFaulted { get; private set; } = null!;
    public Event<Fault<RecordIngest>> RecordFaulted { get; private set; } = null!;
    public Event<Fault<CleanUpIngest>> CleanUpFaulted { get; private set; } = null!;
    public Event<Fault<CompensateIngest>> CompensateFaulted { get; private set; } = null!;
    public Schedule<IngestState, IngestItemLockRetry> ItemLockRetry { get; private set; } = null!;
}
