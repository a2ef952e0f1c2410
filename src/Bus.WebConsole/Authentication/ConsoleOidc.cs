using Bus.Registry.Store;
using Bus.WebConsole.Endpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Bus.WebConsole.Authentication;

/// <summary>
/// Console sign-in through an OpenID Connect provider (Bus:Console:Oidc): authorization code flow with
/// PKCE; the id_token's email claim must name a registered Bus user, and the session is then the same
/// cookie a token sign-in gets (re-checked against the user row on every request). Anything else (an
/// unknown email, an answer that does not validate, an error from the provider) ends on the sign-in
/// page with a refusal and no session.
/// </summary>
public static class ConsoleOidc
{
    public const string Scheme = "bus-console-oidc";
    public const string CallbackPath = "/signin-oidc";
    /// <summary>Where the callback lands; see <see cref="Endpoints.SessionEndpoints"/> for why it is a page of its own.</summary>
    public const string SignedInPath = "/signed-in";

    public static AuthenticationBuilder AddConsoleOidc(this AuthenticationBuilder builder)
    {
        builder.AddOpenIdConnect(Scheme, _ => { });
        builder.Services.AddOptions<OpenIdConnectOptions>(Scheme)
            .Configure<IOptions<ConsoleOptions>>((o, console) => Configure(o, console.Value.Oidc));
        return builder;
    }

    private static void Configure(OpenIdConnectOptions o, ConsoleOidcOptions oidc)
    {
        o.SignInScheme = ConsoleAuthentication.Scheme;
        o.Authority = oidc.Authority;
        o.RequireHttpsMetadata = oidc.Authority!.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        o.ClientId = oidc.ClientId;
        o.ClientSecret = string.IsNullOrEmpty(oidc.ClientSecret) ? null : oidc.ClientSecret;
        o.ResponseType = OpenIdConnectResponseType.Code;
        o.UsePkce = true;
        // The code comes back on a GET (not a cross-site form post), so the correlation and nonce
        // cookies can be SameSite=Lax and work over plain http on a developer's machine too.
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.NonceCookie.SameSite = SameSiteMode.Lax;
        o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.CallbackPath = CallbackPath;
        o.Scope.Clear();
        foreach (var scope in oidc.ScopeList) o.Scope.Add(scope);
        o.MapInboundClaims = false;
        o.GetClaimsFromUserInfoEndpoint = false;
        o.SaveTokens = false;
        o.Events = new OpenIdConnectEvents
        {
            OnTokenValidated = context => MapToBusUserAsync(context, oidc.EmailClaim),
            OnRemoteFailure = RefuseAsync,
        };
    }

    /// <summary>The validated id_token's email becomes the registry's user, or the sign-in is refused.</summary>
    private static async Task MapToBusUserAsync(TokenValidatedContext context, string emailClaim)
    {
        var email = context.Principal?.FindFirst(emailClaim)?.Value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(email))
        {
            context.Fail(new SignInRefused($"The identity provider sent no '{emailClaim}' claim, so Bus cannot tell who you are."));
            return;
        }
        // A provider that says it has not verified the address must not let anyone claim a Bus user's email.
        if (string.Equals(context.Principal!.FindFirst("email_verified")?.Value, "false", StringComparison.OrdinalIgnoreCase))
        {
            context.Fail(new SignInRefused($"The identity provider has not verified {email}."));
            return;
        }
        var http = context.HttpContext;
        var registry = http.RequestServices.GetRequiredService<RegistryDatabase>();
        var user = await registry.RunAsync(s => s.FindUserAsync(email, http.RequestAborted), http.RequestAborted);
        if (user is null)
        {
            context.Fail(new SignInRefused($"{email} is not a registered Bus user. Ask an operator to add you (busctl users add)."));
            return;
        }
        context.Principal = ConsoleAuthentication.PrincipalFor(user);
    }

    private static async Task RefuseAsync(RemoteFailureContext context)
    {
        var http = context.HttpContext;
        string message;
        int status;
        if (context.Failure is SignInRefused refused)
        {
            message = refused.Message;
            status = StatusCodes.Status403Forbidden;
        }
        else
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleOidc))
                .LogWarning(context.Failure, "Console OIDC sign-in failed");
            message = "The identity provider's answer could not be verified, so you are not signed in. Try again, or sign in with a personal API token.";
            status = StatusCodes.Status401Unauthorized;
        }
        context.HandleResponse();
        var page = await SessionEndpoints.SignInFormAsync(http, message, status);
        await page.ExecuteAsync(http);
    }

    /// <summary>A sign-in the provider vouched for but Bus refuses; its message is shown to the person.</summary>
    private sealed class SignInRefused(string message) : Exception(message);
}
