using Bus.Api.Authentication;
using Bus.Api.Authorization;
using Bus.Registry.Model;

namespace Bus.WebConsole.Rendering;

/// <summary>
/// Who is looking at a page (null when signed out), the antiforgery token every form carries, and the
/// path (for the navigation's current item). What the navigation offers comes from the API's policy table.
/// </summary>
public sealed record Viewer(ApiCaller? Caller, string CsrfToken, string Path)
{
    public const string CsrfField = "__RequestVerificationToken";

    public bool May(ApiAction action) => Caller is { } c && ApiPolicy.ScopeFor(c.Role, action) != Scope.None;

    public bool IsOperator => Caller?.Role == Roles.Operator;
}
