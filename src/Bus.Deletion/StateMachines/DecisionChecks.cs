using Bus.Deletion.Data;
using Bus.Deletion.StateMachines;
using static Bus.Contracts.Deletion.DeletionRefusalCodes;

namespace Bus.Deletion.StateMachines;

/// <summary>Who may decide on a pending request (the state check itself is the state machine's).</summary>
public sealed class DecisionChecks(IDeletionRegistry registry)
{
    /// <summary>An institutional admin of the item's institution who did not make the request.</summary>
    public async Task<Refusal?> CheckApproverAsync(DeletionState deletion, string by, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(by)) return new(InvalidRequest, "the approver's email must not be empty");
        if (SameEmail(by, deletion.RequestedBy))
            return new(SelfApproval, $"'{by}' requested this deletion and cannot also approve it: a second institutional admin must");
        return await CheckAdminAsync(deletion, by, "approve", cancellationToken);
    }

    /// <summary>An institutional admin of the item's institution (the requester may reject, though cancel says it better).</summary>
    public Task<Refusal?> CheckRejecterAsync(DeletionState deletion, string by, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(by)
            ? Task.FromResult<Refusal?>(new(InvalidRequest, "the rejecter's email must not be empty"))
            : CheckAdminAsync(deletion, by, "reject", cancellationToken);

    /// <summary>Only the requester cancels.</summary>
    public static Refusal? CheckCanceller(DeletionState deletion, string by) =>
        SameEmail(by, deletion.RequestedBy) ? null
            : new(NotRequester, $"only the requester ({deletion.RequestedBy}) can cancel this request, not '{by}'");

    private async Task<Refusal?> CheckAdminAsync(DeletionState deletion, string by, string verb, CancellationToken cancellationToken)
    {
        var user = await registry.FindUserAsync(by, cancellationToken);
        if (user is null) return new(UnknownUser, $"'{by}' is not a registered user");
        if (user.Institution != deletion.Institution)
            return new(OtherInstitution, $"'{user.Email}' belongs to {user.Institution}; only an institutional admin of {deletion.Institution} can {verb} this deletion");
        if (user.Role != DeletionVocabulary.InstitutionalAdminRole)
            return new(NotAdmin, $"'{user.Email}' is a {user.Role}; only an institutional admin of {deletion.Institution} can {verb} this deletion");
        return null;
    }

    public static bool SameEmail(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);
}
