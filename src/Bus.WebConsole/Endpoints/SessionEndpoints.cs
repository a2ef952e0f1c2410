using Bus.Registry.Store;
using Bus.WebConsole.Authentication;
using Bus.WebConsole.Models;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bus.WebConsole.Endpoints;

/// <summary>/ (the dashboard, or the sign-in form when signed out), /sign-in and /sign-out.</summary>
public static class SessionEndpoints
{
    public static void MapConsoleSession(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Home);
        app.MapPost("/sign-in", SignIn);
        app.MapPost("/sign-out", (Delegate)SignOut);
    }

    private static async Task<IResult> Home(HttpContext http, ConsoleQueries queries, CancellationToken ct)
    {
        if (ConsolePages.ViewerOf(http).Caller is not { } caller)
            return await ConsolePages.RenderAsync<SignInPage>(http, []);
        var dashboard = await queries.DashboardAsync(caller, ct);
        return await ConsolePages.RenderAsync<DashboardPage>(http, new() { ["Model"] = dashboard });
    }

    private static async Task<IResult> SignIn(HttpContext http, RegistryDatabase registry, TimeProvider time, CancellationToken ct)
    {
        var (form, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        var (row, error) = await ConsoleAuthentication.CheckTokenAsync(registry, form!["token"], time.GetUtcNow(), ct);
        if (row is null)
            return await ConsolePages.RenderAsync<SignInPage>(http, new() { ["Error"] = error }, StatusCodes.Status401Unauthorized);
        await http.SignInAsync(ConsoleAuthentication.Scheme, ConsoleAuthentication.PrincipalFor(row));
        return Results.Redirect("/");
    }

    private static async Task<IResult> SignOut(HttpContext http)
    {
        var (_, refused) = await ConsoleForms.ReadAsync(http);
        if (refused is not null) return refused;
        await http.SignOutAsync(ConsoleAuthentication.Scheme);
        return Results.Redirect("/");
    }
}
