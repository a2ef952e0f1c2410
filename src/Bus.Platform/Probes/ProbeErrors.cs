using System.Net.Sockets;
using Amazon.S3;

namespace Bus.Platform.Probes;

internal static class ProbeErrors
{
    /// <summary>The innermost useful reason, in one line an operator can act on.</summary>
    public static string Describe(Exception e)
    {
        if (e is AmazonS3Exception s3) return $"S3 {(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}";
        if (e is OperationCanceledException) return "timed out";
        var inner = e;
        while (inner.InnerException is not null && inner is not SocketException) inner = inner.InnerException;
        return inner is SocketException se ? $"{se.SocketErrorCode}: {se.Message}" : $"{inner.GetType().Name}: {inner.Message}";
    }
}
