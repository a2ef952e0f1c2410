using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Bus.Api.Problems;

/// <summary>Builds problem+json answers from the catalogue in <see cref="ApiErrors"/>.</summary>
public static class ProblemResults
{
    public static IResult Problem(this ApiError error, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(new ProblemDetails { Type = error.Type, Title = error.Title, Status = error.Status, Detail = detail, Extensions = extensions ?? new Dictionary<string, object?>() });

    /// <summary>Writes a problem outside an endpoint (authentication challenges).</summary>
    public static Task WriteAsync(HttpContext context, ApiError error, string detail)
    {
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsJsonAsync(new ProblemDetails { Type = error.Type, Title = error.Title, Status = error.Status, Detail = detail },
            options: null, contentType: "application/problem+json");
    }
}
