using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Api.Problems;
using Microsoft.AspNetCore.Http;

namespace Bus.Api.Endpoints;

/// <summary>Turns a policy decision into the answer: nothing (go on), 403, or the same 404 a missing thing gets.</summary>
internal static class Access
{
    public static IResult? Check(ApiCaller caller, ApiAction action, string targetInstitution, string notFoundDetail) =>
        ApiPolicy.Decide(caller.Role, caller.Institution, action, targetInstitution) switch
        {
            Decision.Allow => null,
            Decision.Forbidden => ApiErrors.Forbidden.Problem($"role '{caller.Role}' may not {Describe(action)} for institution '{targetInstitution}'"),
            _ => ApiErrors.NotFound.Problem(notFoundDetail),
        };

    public static string Describe(ApiAction action) => action switch
    {
        ApiAction.SubmitIngest => "submit ingests",
        ApiAction.ReadIngest => "read ingests",
        ApiAction.CancelIngest => "cancel ingests",
        ApiAction.ReadObject => "read objects",
        ApiAction.RequestDeletion => "request deletions",
        ApiAction.ReadDeletion => "read deletions",
        ApiAction.DecideDeletion => "approve or reject deletions",
        ApiAction.CancelDeletion => "cancel deletions",
        ApiAction.ReadAlerts => "read alerts",
        ApiAction.AcknowledgeAlert => "acknowledge alerts",
        ApiAction.StartFixityCheck => "start fixity checks",
        ApiAction.RequestRestore => "request restores",
        ApiAction.ReadRestore => "read restores",
        _ => action.ToString(),
    };

    public static IResult? CheckAtAll(ApiCaller caller, ApiAction action) =>
        ApiPolicy.ScopeFor(caller.Role, action) == Scope.None
            ? ApiErrors.Forbidden.Problem($"role '{caller.Role}' may not {Describe(action)}")
            : null;
}
