using Bus.Registry.Store;
using Bus.WebConsole.Authentication;
using Bus.WebConsole.Models;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.WebConsole.Endpoints;

/// <summary>/ (the dashboard, or the sign-in form when signed out), /sign-in, /sign-in/oidc, /signed-in and /sign-out.</summary>
public static class SessionEndpoints
{
    public static void MapConsoleSession(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Home);
        app.MapPost("/sign-in", SignIn);
        app.MapGet("/sign-in/oidc", SignInWithOidc);
        app.MapGet(ConsoleOidc.SignedInPath, (Delegate)SignedIn);
        app.MapPost("/sign-out", (Delegate)SignOut);
    }

    /// <summary>The sign-in form (with the OIDC button when configured), optionally with why the last attempt failed.</summary>
    public static Task<IResult> SignInFormAsync(HttpContext http, string? error = null, int status = StatusCodes.Status200OK)
    {
        var oidc = http.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.Oidc;
        return ConsolePages.RenderAsync<SignInPage>(http, new() { ["Error"] = error, ["OidcProvider"] = oidc.Enabled ? oidc.ButtonName : null }, status);
    }

    private static async Task<IResult> Home(HttpContext http, ConsoleQueries queries, CancellationToken ct)
    {
        if (ConsolePages.ViewerOf(http).Caller is not { } caller)
            return await SignInFormAsync(http);
        var dashboard = await queries.DashboardAsync(caller, ct);
        return await ConsolePages.RenderAsync<DashboardPage>(http, new() { ["Model"] = dashboard });
    }

    private static async Task<IResult> SignIn(HttpContext http, RegistryDatabase registry, TimeProvider time, CancellationToken ct)
    {
        var (form, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        var (row, error) = await ConsoleAuthentication.CheckTokenAsync(registry, form!["token"], time.GetUtcNow(), ct);
        if (row is null) return await SignInFormAsync(http, error, StatusCodes.Status401Unauthorized);
        await http.SignInAsync(ConsoleAuthentication.Scheme, ConsoleAuthentication.PrincipalFor(row));
        return Results.Redirect("/");
    }

    /// <summary>
    /// Off to the provider. Its answer comes back to /signin-oidc (ConsoleOidc), which sets the session
    /// cookie and sends the browser to /signed-in: a page that moves on to / by itself. A direct redirect
    /// to / would end a navigation that the provider's own page started, and the browser does not send
    /// the SameSite=Strict session cookie on such a cross-site navigation (the person would see the
    /// sign-in form again); the page's own refresh is a same-site navigation, which does.
    /// </summary>
    private static IResult SignInWithOidc(IOptions<ConsoleOptions> options)
    {
        if (!options.Value.Oidc.Enabled) return Results.NotFound();
        return Results.Challenge(new AuthenticationProperties { RedirectUri = ConsoleOidc.SignedInPath }, [ConsoleOidc.Scheme]);
    }

    private static Task<IResult> SignedIn(HttpContext http) => ConsolePages.RenderAsync<SignedInPage>(http, []);

    private static async Task<IResult> SignOut(HttpContext http)
    {
        var (_, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        await http.SignOutAsync(ConsoleAuthentication.Scheme);
        return Results.Redirect("/");
    }
}
