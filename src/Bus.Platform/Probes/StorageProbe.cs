using Amazon.S3;
using Amazon.S3.Model;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;

namespace Bus.Platform.Probes;

/// <summary>One result per configured bucket: reachable and present, or why not.</summary>
public sealed class StorageProbe(IOptions<StorageOptions> options, IAmazonS3 s3) : IComponentProbe
{
    public async Task<IReadOnlyList<ProbeResult>> ProbeAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var tasks = o.Buckets.Select(async b =>
        {
            var endpoint = $"{o.ServiceUrl.TrimEnd('/')}/{b.Bucket}";
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = b.Bucket, MaxKeys = 1 }, timeout.Token);
                return new ProbeResult($"s3:{b.Role}", endpoint, true, "bucket reachable");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new ProbeResult($"s3:{b.Role}", endpoint, false, ProbeErrors.Describe(e));
            }
        });
        return await Task.WhenAll(tasks);
    }
}
