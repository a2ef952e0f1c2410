using System.Text.Json;
using Bus.Api.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bus.Api.Limits;

/// <summary>
/// Reads a route's JSON body (handlers read bodies themselves: a mismatched content type gets
/// invalid-request from the catalogue, not a bare 415). A body over the limit is body-too-large.
/// </summary>
public static class JsonBody
{
    /// <param name="shape">What to send, for the 400's detail, e.g. <c>{"identifier": "..."}</c>.</param>
    /// <param name="optional">No body at all is fine (null value, no problem).</param>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext http, string shape, bool optional, CancellationToken ct) where T : class
    {
        if (optional && !(http.Request.ContentLength > 0 || http.Request.HasJsonContentType())) return (null, null);
        try
        {
            return (await http.Request.ReadFromJsonAsync<T>(ct), null);
        }
        catch (BadHttpRequestException e) when (RequestLimits.IsTooLarge(e))
        {
            var max = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            return (null, ApiErrors.BodyTooLarge.Problem($"the body is over the {max} bytes this route accepts"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return (null, ApiErrors.InvalidRequest.Problem($"the body{(optional ? ", when sent," : "")} is JSON {shape}"));
        }
    }
}
