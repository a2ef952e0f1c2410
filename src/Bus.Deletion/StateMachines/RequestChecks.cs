using Bus.Contracts.Deletion;
using Bus.Deletion.Data;
using Bus.Workflows.Coordination;
using Microsoft.Extensions.Options;
using static Bus.Contracts.Deletion.DeletionRefusalCodes;

namespace Bus.Deletion.StateMachines;

/// <summary>
/// Whether a deletion may be requested: valid input, a known requester of the item's institution, an
/// existing active item, every copy past its storage class's minimum retention, and no other work
/// (ingest or deletion) on the object. The item lock is taken last, so a refusal for any other reason
/// never holds it. A restore holding the lock is the one exception: it only reads and always ends, so
/// the request is accepted without the lock (<see cref="RequestCheck.WaitingFor"/>) unless another
/// deletion of the object is open; its approval then waits for the lock (<see cref="RecheckAsync"/>).
/// </summary>
public sealed class RequestChecks(IDeletionRegistry registry, IItemLocks locks, IApprovedDeletions requests, IOptions<DeletionOptions> options, TimeProvider clock)
{
    public const int MaxReasonLength = 2000;

    public async Task<RequestCheck> CheckAsync(RequestDeletion request, CancellationToken cancellationToken)
    {
        if (request.RequestId == Guid.Empty) return new(new(InvalidRequest, "the request id must not be empty"), null, null);
        if (string.IsNullOrWhiteSpace(request.Identifier)) return new(new(InvalidRequest, "the identifier must not be empty"), null, null);
        if (string.IsNullOrWhiteSpace(request.RequestedBy)) return new(new(InvalidRequest, "the requester's email must not be empty"), null, null);
        if (string.IsNullOrWhiteSpace(request.Reason)) return new(new(InvalidRequest, "a reason is required: it is kept in the PREMIS deletion event"), null, null);
        if (request.Reason.Length > MaxReasonLength) return new(new(InvalidRequest, $"the reason is longer than {MaxReasonLength} characters"), null, null);

        var target = await registry.FindTargetAsync(request.Identifier, cancellationToken);
        if (target is null) return new(new(UnknownIdentifier, $"no object or file '{request.Identifier}' is registered"), null, null);
        if (target.State != DeletionVocabulary.ActiveState)
            return new(new(AlreadyDeleted, $"'{request.Identifier}' is already deleted"), target, null);

        var requester = await registry.FindUserAsync(request.RequestedBy, cancellationToken);
        if (requester is null) return new(new(UnknownUser, $"'{request.RequestedBy}' is not a registered user"), target, null);
        if (requester.Institution != target.Institution)
            return new(new(OtherInstitution, $"'{requester.Email}' belongs to {requester.Institution}, not to {target.Institution} which owns '{target.Identifier}'"), target, null);

        if (Retention(target) is { } tooYoung) return new(tooYoung, target, null);

        // A request accepted while a restore held the lock holds none, yet it makes the object busy all the same.
        if (await requests.FindOpenAsync(target.ObjectIdentifier, request.RequestId, cancellationToken) is { } open)
            return new(new(WorkInProgress, $"'{target.ObjectIdentifier}' has another deletion in progress ({open.RequestId}, {open.State})"), target, null);

        var lockResult = await locks.TryAcquireAsync(target.ObjectIdentifier, ItemLockKinds.Deletion, request.RequestId, cancellationToken);
        if (!lockResult.Acquired)
        {
            var h = lockResult.Holder;
            if (h.Kind == ItemLockKinds.Restore) return new(null, target, Describe(h));
            return new(new(WorkInProgress, $"'{target.ObjectIdentifier}' has {(h.Kind == ItemLockKinds.Ingest ? "an ingest" : $"another {h.Kind}")} in progress ({h.Owner}, since {h.Since:u})"), target, null);
        }
        return new(null, target, null);
    }

    /// <summary>
    /// For an approved request accepted without the item lock: takes the lock, then checks again what may have
    /// changed since the request (the item still active, every copy past its minimum retention: a reingest may
    /// have written new ones). <see cref="RequestCheck.WaitingFor"/>: someone else holds the lock (try again
    /// later); a refusal releases the lock it took.
    /// </summary>
    public async Task<RequestCheck> RecheckAsync(DeletionState saga, CancellationToken cancellationToken)
    {
        var lockResult = await locks.TryAcquireAsync(saga.ObjectIdentifier, ItemLockKinds.Deletion, saga.CorrelationId, cancellationToken);
        if (!lockResult.Acquired) return new(null, null, Describe(lockResult.Holder));
        var target = await registry.FindTargetAsync(saga.Identifier, cancellationToken);
        var refusal = target is null ? new Refusal(UnknownIdentifier, $"no object or file '{saga.Identifier}' is registered")
            : target.State != DeletionVocabulary.ActiveState ? new Refusal(AlreadyDeleted, $"'{saga.Identifier}' is already deleted")
            : Retention(target);
        if (refusal is not null) await locks.ReleaseAsync(saga.ObjectIdentifier, saga.CorrelationId, cancellationToken);
        return new(refusal, target, null);
    }

    private Refusal? Retention(DeletionTarget target)
    {
        var now = clock.GetUtcNow();
        foreach (var copy in target.Copies)
        {
            var minimum = options.Value.MinimumRetention(copy.StorageOption);
            var age = now - copy.StoredAt;
            if (age < minimum)
                return new(RetentionPeriod,
                    $"the copy of '{copy.FileIdentifier}' in {copy.Bucket} ({copy.StorageOption}) was stored {copy.StoredAt:yyyy-MM-dd} " +
                    $"and must be kept {minimum.TotalDays:0} days: deletable from {copy.StoredAt + minimum:yyyy-MM-dd}");
        }
        return null;
    }

    private static string Describe(ItemLock h) => $"{h.Kind} {h.Owner} (holding the item lock since {h.Since:u})";
}

/// <summary>A check's outcome: a refusal, or accepted (holding the item lock, or without it while <see cref="WaitingFor"/> holds it).</summary>
public sealed record RequestCheck(Refusal? Refusal, DeletionTarget? Target, string? WaitingFor);
