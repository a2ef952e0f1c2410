using Bus.Api.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bus.Api.Limits;

/// <summary>Marks a route that sets its own body limit (the streamed tar upload).</summary>
public sealed class OwnBodyLimitMetadata;

/// <summary>
/// Every API route reads at most <see cref="ApiOptions.MaxJsonBodyBytes"/>: Kestrel is told the limit
/// (so a chunked body is stopped when it passes it) and a declared Content-Length above it is answered
/// 413 before anything is read. Routes marked <see cref="OwnBodyLimitMetadata"/> call <see cref="Apply"/>
/// with their own limit.
/// </summary>
public static class RequestLimits
{
    public static RouteGroupBuilder WithRequestLimits(this RouteGroupBuilder api)
    {
        api.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.GetEndpoint()?.Metadata.GetMetadata<OwnBodyLimitMetadata>() is null)
            {
                var max = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxJsonBodyBytes;
                if (Apply(http, max, ApiErrors.BodyTooLarge) is { } tooLarge) return tooLarge;
            }
            return await next(context);
        });
        return api;
    }

    /// <summary>Sets Kestrel's limit for this request; a declared length above it gets <paramref name="error"/> at once.</summary>
    public static IResult? Apply(HttpContext http, long maxBytes, ApiError error)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = maxBytes;
        return http.Request.ContentLength > maxBytes
            ? error.Problem($"the body declares {http.Request.ContentLength} bytes; this route accepts at most {maxBytes}")
            : null;
    }

    /// <summary>Kestrel's answer to a body that passed the limit while being read.</summary>
    public static bool IsTooLarge(BadHttpRequestException e) => e.StatusCode == StatusCodes.Status413PayloadTooLarge;
}
