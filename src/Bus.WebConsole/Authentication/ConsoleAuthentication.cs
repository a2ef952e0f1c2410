using System.Security.Claims;
using Bus.Api.Authentication;
using Bus.Registry.Store;
using Bus.Registry.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.WebConsole.Authentication;

/// <summary>
/// The console's session: a person signs in once with a personal API token (or through the OIDC
/// provider: <see cref="ConsoleOidc"/>) and gets a cookie. A token session's cookie holds the token's
/// public prefix, never the token; every request re-reads that token row (an OIDC session's: the user
/// row), so a revoked or expired token or a removed user ends the session at once and a role or
/// institution changed in the registry applies to the next page, exactly as for the API's bearer requests.
/// </summary>
public static class ConsoleAuthentication
{
    public const string Scheme = "bus-console";
    public const string CookieName = "bus_console";
    public const string TokenPrefixClaim = "bus:token-prefix";
    /// <summary>On a session signed in through the OIDC provider (no token behind it).</summary>
    public const string OidcClaim = "bus:oidc";

    public static IServiceCollection AddConsoleAuthentication(this IServiceCollection services, ConsoleOidcOptions oidc)
    {
        // No default scheme here: the API's bearer scheme stays the default for /api; console pages
        // authenticate with this scheme explicitly (UseConsoleSession).
        var builder = services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ValidateAsync;
            // Pages decide themselves (sign-in form or 404); the cookie handler never redirects.
            o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        services.AddOptions<CookieAuthenticationOptions>(Scheme)
            .Configure<IOptions<ConsoleOptions>>((o, console) => o.ExpireTimeSpan = console.Value.SessionIdle);
        if (oidc.Enabled) builder.AddConsoleOidc();
        return services;
    }

    /// <summary>Outside /api: the signed-in person (if any) becomes the request's user, so antiforgery tokens are bound to them.</summary>
    public static void UseConsoleSession(this WebApplication app)
    {
        // The provider's answer at /signin-oidc, whether or not the api role's UseAuthentication runs too.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path == ConsoleOidc.CallbackPath
                && await context.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(ConsoleOidc.Scheme) is not null
                && await context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>().GetHandlerAsync(context, ConsoleOidc.Scheme)
                    is IAuthenticationRequestHandler handler
                && await handler.HandleRequestAsync())
                return;
            await next(context);
        });
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), branch => branch.Use(async (context, next) =>
        {
            var result = await context.AuthenticateAsync(Scheme);
            if (result.Succeeded && result.Principal is { } principal) context.User = principal;
            await next(context);
        }));
    }

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

    public static ClaimsPrincipal PrincipalFor(UserRow user)
    {
        var principal = new ApiCaller(user.Email, user.Institution, user.Role).ToPrincipal(Scheme);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(OidcClaim, "true"));
        return principal;
    }

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var registry = context.HttpContext.RequestServices.GetRequiredService<RegistryDatabase>();
        if (context.Principal?.HasClaim(c => c.Type == OidcClaim) == true)
        {
            await ValidateOidcSessionAsync(context, registry);
            return;
        }
        var prefix = context.Principal?.FindFirstValue(TokenPrefixClaim);
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

    private static async Task ValidateOidcSessionAsync(CookieValidatePrincipalContext context, RegistryDatabase registry)
    {
        var email = context.Principal!.FindFirstValue(ClaimTypes.Email);
        var user = email is null ? null : await registry.RunAsync(s => s.FindUserAsync(email, context.HttpContext.RequestAborted), context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        var now = ApiCaller.From(context.Principal!);
        if (now.Institution != user.Institution || now.Role != user.Role)
        {
            context.ReplacePrincipal(PrincipalFor(user));
            context.ShouldRenew = true;
        }
    }
}
