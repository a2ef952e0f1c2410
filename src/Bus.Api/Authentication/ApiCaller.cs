using System.Security.Claims;

namespace Bus.Api.Authentication;

/// <summary>
/// The authenticated person behind a request, as the registry knows them now (a role or institution
/// changed in the registry applies to the next request, whatever the credential was issued with).
/// </summary>
public sealed record ApiCaller(string Email, string Institution, string Role)
{
    public const string InstitutionClaim = "bus:institution";

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Email, Email),
        new Claim(InstitutionClaim, Institution),
        new Claim(ClaimTypes.Role, Role),
    ], scheme, ClaimTypes.Email, ClaimTypes.Role));

    /// <summary>The caller of an authenticated request (endpoints require authentication, so the claims are there).</summary>
    public static ApiCaller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.Email) ?? throw new InvalidOperationException("authenticated principal without email"),
        user.FindFirstValue(InstitutionClaim) ?? throw new InvalidOperationException("authenticated principal without institution"),
        user.FindFirstValue(ClaimTypes.Role) ?? throw new InvalidOperationException("authenticated principal without role"));
}
