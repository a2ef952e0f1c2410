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
/// never holds it.
/// </summary>
public sealed class RequestChecks(IDeletionRegistry registry, IItemLocks locks, IOptions<DeletionOptions> options, TimeProvider clock)
{
    public const int MaxReasonLength = 2000;

    public async Task<(Refusal? Refusal, DeletionTarget? Target)> CheckAsync(RequestDeletion request, CancellationToken cancellationToken)
    {
        if (request.RequestId == Guid.Empty) return (new(InvalidRequest, "the request id must not be empty"), null);
        if (string.IsNullOrWhiteSpace(request.Identifier)) return (new(InvalidRequest, "the identifier must not be empty"), null);
        if (string.IsNullOrWhiteSpace(request.RequestedBy)) return (new(InvalidRequest, "the requester's email must not be empty"), null);
        if (string.IsNullOrWhiteSpace(request.Reason)) return (new(InvalidRequest, "a reason is required: it is kept in the PREMIS deletion event"), null);
        if (request.Reason.Length > MaxReasonLength) return (new(InvalidRequest, $"the reason is longer than {MaxReasonLength} characters"), null);

        var target = await registry.FindTargetAsync(request.Identifier, cancellationToken);
        if (target is null) return (new(UnknownIdentifier, $"no object or file '{request.Identifier}' is registered"), null);
        if (target.State != DeletionVocabulary.ActiveState)
            return (new(AlreadyDeleted, $"'{request.Identifier}' is already deleted"), target);

        var requester = await registry.FindUserAsync(request.RequestedBy, cancellationToken);
        if (requester is null) return (new(UnknownUser, $"'{request.RequestedBy}' is not a registered user"), target);
        if (requester.Institution != target.Institution)
            return (new(OtherInstitution, $"'{requester.Email}' belongs to {requester.Institution}, not to {target.Institution} which owns '{target.Identifier}'"), target);

        var now = clock.GetUtcNow();
        foreach (var copy in target.Copies)
        {
            var minimum = options.Value.MinimumRetention(copy.StorageOption);
            var age = now - copy.StoredAt;
            if (age < minimum)
                return (new(RetentionPeriod,
                    $"the copy of '{copy.FileIdentifier}' in {copy.Bucket} ({copy.StorageOption}) was stored {copy.StoredAt:yyyy-MM-dd} " +
                    $"and must be kept {minimum.TotalDays:0} days: deletable from {copy.StoredAt + minimum:yyyy-MM-dd}"), target);
        }

        var lockResult = await locks.TryAcquireAsync(target.ObjectIdentifier, ItemLockKinds.Deletion, request.RequestId, cancellationToken);
        if (!lockResult.Acquired)
        {
            var h = lockResult.Holder;
            return (new(WorkInProgress, $"'{target.ObjectIdentifier}' has {(h.Kind == ItemLockKinds.Ingest ? "an ingest" : $"another {h.Kind}")} in progress ({h.Owner}, since {h.Since:u})"), target);
        }
        return (null, target);
    }
}
