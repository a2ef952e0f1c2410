using System.Security.Claims;
using Bus.Api.Authentication;
using Bus.Registry.Store;
using Bus.Registry.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.WebConsole.Authentication;

/// <summary>
/// The console's session: a person signs in once with a personal API token and gets a cookie. The
/// cookie holds the token's public prefix, never the token; every request re-reads that token row, so
/// a revoked or expired token ends the session at once and a role or institution changed in the
/// registry applies to the next page, exactly as for the API's bearer requests.
/// </summary>
public static class ConsoleAuthentication
{
    public const string Scheme = "bus-console";
    public const string CookieName = "bus_console";
    public const string TokenPrefixClaim = "bus:token-prefix";

    public static IServiceCollection AddConsoleAuthentication(this IServiceCollection services)
    {
        // No default scheme here: the API's bearer scheme stays the default for /api; console pages
        // authenticate with this scheme explicitly (UseConsoleSession).
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ValidateAsync;
            // Pages decide themselves (sign-in form or 404); the cookie handler never redirects.
            o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        return services;
    }

    /// <summary>Outside /api: the signed-in person (if any) becomes the request's user, so antiforgery tokens are bound to them.</summary>
    public static void UseConsoleSession(this WebApplication app) =>
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), branch => branch.Use(async (context, next) =>
        {
            var result = await context.AuthenticateAsync(Scheme);
            if (result.Succeeded && result.Principal is { } principal) context.User = principal;
            await next(context);
        }));

    /// <summary>The token row for a token typed into the sign-in form, or why it cannot sign in.</summary>
    public static async Task<(TokenRow? Row, string? Error)> CheckTokenAsync(RegistryDatabase registry, string? token, DateTimeOffset now, CancellationToken ct)
    {
        token = token?.Trim();
        if (string.IsNullOrEmpty(token)) return (null, "Enter your personal API token.");
        if (!ApiTokens.TryParse(token, out var prefix)) return (null, "That is not a Bus API token (it starts with bus_).");
        var row = await registry.RunAsync(s => s.FindTokenAsync(prefix, ct), ct);
        // One message for unknown and wrong: the form does not tell which prefixes exist.
        if (row is null || !ApiTokens.Matches(token, row.Sha256)) return (null, "Unknown token.");
        if (row.RevokedAt is not null) return (null, "This token was revoked.");
        if (!row.IsUsableAt(now)) return (null, "This token has expired.");
        return (row, null);
    }

    public static ClaimsPrincipal PrincipalFor(TokenRow row)
    {
        var principal = new ApiCaller(row.Email, row.Institution, row.Role).ToPrincipal(Scheme);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(TokenPrefixClaim, row.Prefix));
        return principal;
    }

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var prefix = context.Principal?.FindFirstValue(TokenPrefixClaim);
        var registry = context.HttpContext.RequestServices.GetRequiredService<RegistryDatabase>();
        var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var row = prefix is null ? null : await registry.RunAsync(s => s.FindTokenAsync(prefix, context.HttpContext.RequestAborted), context.HttpContext.RequestAborted);
        if (row is null || !row.IsUsableAt(time.GetUtcNow()))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        var now = ApiCaller.From(context.Principal!);
        if (now.Email != row.Email || now.Institution != row.Institution || now.Role != row.Role)
        {
            context.ReplacePrincipal(PrincipalFor(row));
            context.ShouldRenew = true;
        }
    }
}
