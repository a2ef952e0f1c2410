using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Bus.WebConsole.Rendering;

/// <summary>
/// Every console POST reads its form through here: the antiforgery token is checked first (a form
/// posted from another site, or without the token, is refused with 400 before anything is read or
/// done), and the form body is bounded.
/// </summary>
public static class ConsoleForms
{
    public const long MaxFormBytes = 64 * 1024;

    public static async Task<(IFormCollection? Form, IResult? Refused)> ReadAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType) return (null, Results.BadRequest("expected a form"));
        if (http.Request.ContentLength > MaxFormBytes) return (null, Results.StatusCode(StatusCodes.Status413PayloadTooLarge));
        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            return (null, Results.Text("This form has expired or did not come from the console: go back, reload the page and try again.",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest));
        }
        return (await http.Request.ReadFormAsync(new FormOptions { ValueLengthLimit = (int)MaxFormBytes }, http.RequestAborted), null);
    }
}
