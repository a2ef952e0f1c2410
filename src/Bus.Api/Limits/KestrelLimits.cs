using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bus.Api.Limits;

/// <summary>
/// Kestrel's own limits on the host's listener, set here on purpose rather than inherited (docs/api.md,
/// "Limits"). Most keep Kestrel's value; what differs says why.
/// </summary>
public static class KestrelLimits
{
    public static void Apply(KestrelServerOptions kestrel, ApiOptions api)
    {
        var limits = kestrel.Limits;
        // Default for every route; the API's filter and the upload route set their own per request.
        limits.MaxRequestBodySize = api.MaxJsonBodyBytes;
        // A bearer (a JWT with claims) fits easily; nothing else of ours needs big headers.
        limits.MaxRequestHeadersTotalSize = 32 * 1024;
        limits.MaxRequestHeaderCount = 100;
        limits.MaxRequestLineSize = 8 * 1024;
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(130);
        // A client that sends slower than 240 B/s on average (after a 5 s grace) is cut off, so a
        // stalled upload does not hold its part buffers and its upload slot for ever. The same for
        // a client that stops reading an answer.
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        // Connections are bounded by the machine; what costs memory (uploads) has its own bound.
        limits.MaxConcurrentConnections = 1000;
        limits.Http2.MaxStreamsPerConnection = 100;
    }
}
