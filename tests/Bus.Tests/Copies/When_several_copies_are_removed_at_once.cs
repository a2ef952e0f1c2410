using Bus.Workflows.Steps;
using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Bus.Workflows.Copies;

namespace Bus.Tests.Copies;

/// <summary>
/// The remover's batched DeleteObjects: a thousand keys a request, per-key errors reported after every batch
/// was tried, a key that was not there counted as removed. Per-key refusals cannot be provoked in moto, so the
/// client here answers DeleteObjects itself and sends nothing.
/// </summary>
public sealed class When_several_copies_are_removed_at_once
{
    [Fact]
    public async Task Every_batch_is_tried_and_only_the_keys_S3_refused_fail_the_removal()
    {
        using var s3 = new AnsweringS3(refused: "b/0007", missing: "b/0003");
        var keys = Enumerable.Range(0, 2500).Select(i => $"b/{i:D4}").ToList();

        var e = await Assert.ThrowsAsync<CopiesNotRemovedException>(() =>
            new CopyRemover(s3, new S3Resilience()).RemoveManyAsync("bucket", keys, CancellationToken.None));

        Assert.Equal([1000, 1000, 500], s3.Batches.Select(b => b.Count));
        Assert.Equal(keys, s3.Batches.SelectMany(b => b));
        var refused = Assert.Single(e.Errors);
        Assert.Equal(("b/0007", "AccessDenied"), (refused.Key, refused.Code));
    }

    [Fact]
    public async Task Keys_that_were_not_there_count_as_removed()
    {
        using var s3 = new AnsweringS3(refused: null, missing: "b/1");
        await new CopyRemover(s3, new S3Resilience()).RemoveManyAsync("bucket", ["b/1", "b/2", "b/2"], CancellationToken.None);
        Assert.Equal(["b/1", "b/2"], Assert.Single(s3.Batches));
    }

    /// <summary>Answers DeleteObjects with per-key errors for <c>refused</c> (AccessDenied) and <c>missing</c> (NoSuchKey).</summary>
    private sealed class AnsweringS3(string? refused, string? missing)
        : AmazonS3Client(new BasicAWSCredentials("test", "test"), new AmazonS3Config { ServiceURL = "http://127.0.0.1:9", ForcePathStyle = true })
    {
        public ConcurrentQueue<List<string>> Batches { get; } = new();

        public override Task<DeleteObjectsResponse> DeleteObjectsAsync(DeleteObjectsRequest request, CancellationToken cancellationToken = default)
        {
            var keys = request.Objects.Select(o => o.Key).ToList();
            Batches.Enqueue(keys);
            var errors = keys.Where(k => k == refused).Select(k => new DeleteError { Key = k, Code = "AccessDenied", Message = "Access Denied" })
                .Concat(keys.Where(k => k == missing).Select(k => new DeleteError { Key = k, Code = "NoSuchKey", Message = "gone" }))
                .ToList();
            return Task.FromResult(new DeleteObjectsResponse
            {
                DeletedObjects = keys.Where(k => k != refused && k != missing).Select(k => new DeletedObject { Key = k }).ToList(),
                DeleteErrors = errors,
            });
        }
    }
}
