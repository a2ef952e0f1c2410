using Amazon.S3.Model;
using Bus.Ingest.Steps;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// SIGTERM while Unpack streams one large file: the step stops at the file's next 16 MiB staging
/// part, saves its digest states and the open upload, and the host exits within 10 s; a host
/// started afterwards continues the same file and the ingest completes with its true digests.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_the_host_is_stopped_inside_a_large_file
{
    [Fact]
    public async Task Should_exit_within_10_seconds_and_a_new_host_finishes_the_file()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("sigterm-big-" + Guid.NewGuid().ToString("N")[..8]);
        var big = new byte[10 * StagingSink.PartBytes + 777];
        new Random(9).NextBytes(big);
        bag.Payload["data/big.bin"] = big;
        var id = await stack.SubmitAsync(bag);

        // Bounded wait for Unpack to be inside the file: its staging multipart upload is open.
        var open = false;
        for (var i = 0; i < 600 && !open; i++)
        {
            var uploads = await stack.S3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = stack.Storage.StagingBucket, Prefix = id + "/" });
            open = uploads.MultipartUploads is { Count: > 0 };
            if (!open) await Task.Delay(50);
        }
        Assert.True(open, "Unpack never started the large file's staging upload");

        var output = await stack.TerminateHostWithin10SecondsAsync();

        // The host logs JSON: the quotes around the path are escaped.
        Assert.True(output.Contains("inside \\u0027data/big.bin\\u0027 after ", StringComparison.Ordinal)
                    && output.Contains("host stopping", StringComparison.Ordinal),
            "Unpack did not checkpoint inside the file on SIGTERM: " + output);

        await stack.StartHostAsync();
        await stack.WaitForStateAsync(id, "Completed");

        var row = (await stack.QueryAsync("SELECT sha256, sha512 FROM bus.ingest_files WHERE ingest_id = @id AND path = 'data/big.bin'",
            r => (Sha256: r.GetString(0), Sha512: r.GetString(1)), ("id", id))).Single();
        Assert.Equal(TestBag.Sha256(big), row.Sha256);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(big)), row.Sha512);
        foreach (var copy in (await stack.RecordedCopiesAsync($"{stack.Institution}/{bag.Name}")).Where(c => c.File.EndsWith("data/big.bin", StringComparison.Ordinal)))
            Assert.Equal(TestBag.Sha256(big), await stack.CopySha256Async(copy.Bucket, copy.Key));
    }
}
