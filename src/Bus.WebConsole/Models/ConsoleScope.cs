using Bus.Api.Authentication;
using Bus.Api.Authorization;

namespace Bus.WebConsole.Models;

/// <summary>
/// Which institutions' rows a list may show the viewer for an action, from the API's policy table:
/// every institution, the viewer's own, or none. Lists filter with it; single things go through
/// <see cref="ApiPolicy.Decide"/> as the API's endpoints do.
/// </summary>
public sealed record ConsoleScope(Scope Scope, string Institution)
{
    public static ConsoleScope For(ApiCaller caller, ApiAction action) => new(ApiPolicy.ScopeFor(caller.Role, action), caller.Institution);

    /// <summary>Null: every institution; otherwise the one institution whose rows are shown (an impossible one for no scope).</summary>
    public string? InstitutionFilter => Scope switch
    {
        Scope.AnyInstitution => null,
        Scope.OwnInstitution => Institution,
        _ => "\u0000none",
    };

    public bool SeesAll => Scope == Scope.AnyInstitution;
}
