using Bus.Registry.Model;

namespace Bus.Api.Authorization;

/// <summary>What a caller asks to do through the API.</summary>
public enum ApiAction
{
    SubmitIngest,
    ReadIngest,
    CancelIngest,
    ReadObject,
    RequestDeletion,
    ReadDeletion,
    DecideDeletion,
    CancelDeletion,
    ReadAlerts,
    AcknowledgeAlert,
    StartFixityCheck,
    RequestRestore,
    ReadRestore,
    /// <summary>Error queues, their failure groups and messages (the console's Operations page).</summary>
    ReadErrorQueues,
    /// <summary>Send faulted messages back to the queue they failed on.</summary>
    ReplayErrorMessages,
    /// <summary>Move faulted messages out of an error queue into the archive table.</summary>
    ArchiveErrorMessages,
    /// <summary>Any saga's state and transition history (ingest, fixity, deletion, restore).</summary>
    ReadSagas,
}

/// <summary>Whose things a role may act on for an action.</summary>
public enum Scope
{
    None,
    OwnInstitution,
    AnyInstitution,
}

/// <summary>The answer for one request: go on, or refuse with 403 or 404.</summary>
public enum Decision
{
    Allow,
    /// <summary>The caller may see the thing but not do this to it.</summary>
    Forbidden,
    /// <summary>The caller may not even see it: answered as if it did not exist.</summary>
    NotFound,
}

/// <summary>
/// THE authorization table (docs/api.md): role × action → scope. Every endpoint asks <see cref="Decide"/>
/// before it does any work, and the authorization matrix test is generated from <see cref="Table"/>.
/// Depositors submit and read their institution's work; institutional admins also request, decide and
/// cancel deletions, start fixity checks and acknowledge alerts for their institution; depositors and admins request and read restores of
/// their institution's objects; operators read everything and acknowledge alerts, and alone read error queues and sagas and replay or archive
/// faulted messages (the console's Operations page; error queues and sagas belong to no institution). Something of another institution the caller may not read
/// is answered 404, so the API does not tell who holds what.
/// </summary>
public static class ApiPolicy
{
    public static readonly IReadOnlyDictionary<(string Role, ApiAction Action), Scope> Table = Build(
        (Roles.Depositor, ApiAction.SubmitIngest, Scope.OwnInstitution),
        (Roles.Depositor, ApiAction.ReadIngest, Scope.OwnInstitution),
        (Roles.Depositor, ApiAction.CancelIngest, Scope.OwnInstitution),
        (Roles.Depositor, ApiAction.ReadObject, Scope.OwnInstitution),
        (Roles.Depositor, ApiAction.ReadDeletion, Scope.OwnInstitution),
        (Roles.Depositor, ApiAction.ReadAlerts, Scope.OwnInstitution),
        (Roles.Depositor, ApiAction.RequestRestore, Scope.OwnInstitution),
        (Roles.Depositor, ApiAction.ReadRestore, Scope.OwnInstitution),

        (Roles.InstitutionalAdmin, ApiAction.SubmitIngest, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.ReadIngest, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.CancelIngest, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.ReadObject, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.RequestDeletion, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.ReadDeletion, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.DecideDeletion, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.CancelDeletion, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.ReadAlerts, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.AcknowledgeAlert, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.StartFixityCheck, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.RequestRestore, Scope.OwnInstitution),
        (Roles.InstitutionalAdmin, ApiAction.ReadRestore, Scope.OwnInstitution),

        (Roles.Operator, ApiAction.ReadIngest, Scope.AnyInstitution),
        (Roles.Operator, ApiAction.ReadObject, Scope.AnyInstitution),
        (Roles.Operator, ApiAction.ReadDeletion, Scope.AnyInstitution),
        (Roles.Operator, ApiAction.ReadAlerts, Scope.AnyInstitution),
        // Fixity alerts are operational: an operator who has handled one (restored a copy) closes it.
        (Roles.Operator, ApiAction.AcknowledgeAlert, Scope.AnyInstitution),
        (Roles.Operator, ApiAction.ReadRestore, Scope.AnyInstitution),
        // The bus's own plumbing, shared by every institution: operators only.
        (Roles.Operator, ApiAction.ReadErrorQueues, Scope.AnyInstitution),
        (Roles.Operator, ApiAction.ReplayErrorMessages, Scope.AnyInstitution),
        (Roles.Operator, ApiAction.ArchiveErrorMessages, Scope.AnyInstitution),
        (Roles.Operator, ApiAction.ReadSagas, Scope.AnyInstitution));

    /// <summary>Which read makes a thing visible to the caller, for each action on it.</summary>
    public static ApiAction VisibilityOf(ApiAction action) => action switch
    {
        ApiAction.SubmitIngest or ApiAction.ReadIngest or ApiAction.CancelIngest => ApiAction.ReadIngest,
        ApiAction.ReadObject or ApiAction.RequestDeletion or ApiAction.StartFixityCheck or ApiAction.RequestRestore => ApiAction.ReadObject,
        ApiAction.ReadRestore => ApiAction.ReadRestore,
        ApiAction.ReadDeletion or ApiAction.DecideDeletion or ApiAction.CancelDeletion => ApiAction.ReadDeletion,
        ApiAction.ReadAlerts or ApiAction.AcknowledgeAlert => ApiAction.ReadAlerts,
        ApiAction.ReadErrorQueues or ApiAction.ReplayErrorMessages or ApiAction.ArchiveErrorMessages => ApiAction.ReadErrorQueues,
        ApiAction.ReadSagas => ApiAction.ReadSagas,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static Scope ScopeOf(string role, ApiAction action) => Table.GetValueOrDefault((role, action), Scope.None);

    public static bool Covers(Scope scope, string callerInstitution, string targetInstitution) => scope switch
    {
        Scope.AnyInstitution => true,
        Scope.OwnInstitution => string.Equals(callerInstitution, targetInstitution, StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>
    /// May a caller with <paramref name="role"/> at <paramref name="callerInstitution"/> do
    /// <paramref name="action"/> to a thing of <paramref name="targetInstitution"/>? Not visible → NotFound,
    /// visible but not allowed → Forbidden.
    /// </summary>
    public static Decision Decide(string role, string callerInstitution, ApiAction action, string targetInstitution)
    {
        if (Covers(ScopeOf(role, action), callerInstitution, targetInstitution)) return Decision.Allow;
        return Covers(ScopeOf(role, VisibilityOf(action)), callerInstitution, targetInstitution) ? Decision.Forbidden : Decision.NotFound;
    }

    /// <summary>For actions with no target yet (submit, list): may this role do it at all, and for whom.</summary>
    public static Scope ScopeFor(string role, ApiAction action) => ScopeOf(role, action);

    private static Dictionary<(string, ApiAction), Scope> Build(params (string Role, ApiAction Action, Scope Scope)[] rows)
    {
        var table = new Dictionary<(string, ApiAction), Scope>();
        foreach (var (role, action, scope) in rows)
            if (!table.TryAdd((role, action), scope)) throw new InvalidOperationException($"policy row {role} × {action} appears twice");
        return table;
    }
}
