using Bus.Api.Authentication;
using Bus.WebConsole.Pages;
using Bus.WebConsole.Rendering;
using Microsoft.AspNetCore.Http;

namespace Bus.WebConsole.Endpoints;

/// <summary>The answers every page shares: the signed-in caller or a way back to sign in; 403 and 404 pages.</summary>
internal static class PageResults
{
    /// <summary>The signed-in caller, or (signed out) a redirect to the sign-in form at /.</summary>
    public static bool TrySignedIn(HttpContext http, out ApiCaller caller, out IResult signIn)
    {
        signIn = Results.Redirect("/");
        caller = null!;
        if (ConsolePages.ViewerOf(http).Caller is not { } c) return false;
        caller = c;
        return true;
    }

    /// <summary>The same page for "no such thing" and "not yours to see", as the API answers 404 for both.</summary>
    public static Task<IResult> NotFound(HttpContext http, string message) =>
        ConsolePages.RenderAsync<MessagePage>(http, new() { ["Title"] = "Not found", ["Message"] = message }, StatusCodes.Status404NotFound);

    public static Task<IResult> Forbidden(HttpContext http, string message) =>
        ConsolePages.RenderAsync<MessagePage>(http, new() { ["Title"] = "Not allowed", ["Message"] = message }, StatusCodes.Status403Forbidden);
}
