using Bus.Api.Problems;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Bus.Api.Limits;

/// <summary>
/// Kestrel's request errors that reach no handler's catch (a body over the limit, a malformed body)
/// become problems from the catalogue instead of a bare 400/413 or a 500.
/// </summary>
public sealed class BadRequestProblems : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted) return false;
        var error = RequestLimits.IsTooLarge(bad) ? ApiErrors.BodyTooLarge : ApiErrors.InvalidRequest;
        await ProblemResults.WriteAsync(httpContext, error, bad.Message);
        return true;
    }
}
