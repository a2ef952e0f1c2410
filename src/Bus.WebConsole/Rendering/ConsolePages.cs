using Bus.Api.Authentication;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bus.WebConsole.Rendering;

/// <summary>
/// Renders a page component to a complete HTML answer on the server (Razor components through
/// <see cref="HtmlRenderer"/>: no circuit, no WebAssembly, no script needed). Every page gets a
/// <see cref="Viewer"/> with a fresh antiforgery token for its forms.
/// </summary>
public static class ConsolePages
{
    // Only the host's own assets: no CDN, no inline script; inline styles are not needed either.
    private const string ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static Viewer ViewerOf(HttpContext http)
    {
        var caller = http.User.Identity?.IsAuthenticated == true && http.User.Identity.AuthenticationType == Authentication.ConsoleAuthentication.Scheme
            ? ApiCaller.From(http.User) : null;
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return new Viewer(caller, tokens.RequestToken ?? "", http.Request.Path.Value ?? "/");
    }

    public static async Task<IResult> RenderAsync<TPage>(HttpContext http, Dictionary<string, object?> parameters, int status = StatusCodes.Status200OK)
        where TPage : IComponent
    {
        parameters["Viewer"] = ViewerOf(http);
        var html = await RenderToStringAsync<TPage>(http.RequestServices, parameters);
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "same-origin";
        http.Response.Headers.CacheControl = "no-store";
        return Results.Content("<!DOCTYPE html>\n" + html, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>The HTML of one component (the fast tier renders pages with this, without a server).</summary>
    public static async Task<string> RenderToStringAsync<TPage>(IServiceProvider services, Dictionary<string, object?> parameters) where TPage : IComponent
    {
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TPage>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }
}
