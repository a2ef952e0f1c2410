using Amazon.S3;
using Amazon.S3.Model;
using Bus.Contracts.Fixity;

namespace Bus.IntegrationTests.Fixity;

[Collection(nameof(SweepCollection))]
public class When_a_cold_copy_is_overwritten
{
    [Fact]
    public async Task The_sweep_finds_it_by_its_s3_checksum_without_reading_it_and_it_is_repaired_in_its_class()
    {
        await using var stack = await FixityStack.CreateAsync();
        await using var registry = SweepHarness.Registry();
        var file = await stack.PreserveAsync("cold.bin", 64 * 1024, SweepHarness.StoredAt);
        var coldId = await stack.AddColdCopyAsync(file, SweepHarness.StoredAt);
        // Replaced behind Bus's back, still GLACIER (its GET refused): only the checksum attribute can tell.
        await stack.S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = FixityStack.Cold, Key = file.Key, InputStream = new MemoryStream(new byte[file.Content.Length]), StorageClass = S3StorageClass.Glacier,
        });
        Assert.Equal("InvalidObjectState", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => stack.S3.GetObjectAsync(FixityStack.Cold, file.Key))).ErrorCode);
        await stack.StartHostAsync();
        await using var bus = new AsyncBus(await SweepHarness.StartBusAsync(stack));

        var swept = await SweepHarness.Sweeper(stack, registry, bus.Bus).RunAsync(SweepHarness.OlderThan, 100, "test", CancellationToken.None);

        Assert.Equal(3, swept.Queued);
        var checkId = await CheckOfAsync(stack, coldId);
        var outcome = await stack.OutcomeAsync(checkId);
        Assert.Equal(FixityOutcomes.Repaired, outcome.Outcome);
        var events = await stack.EventsAsync(file);
        Assert.Contains(events, e => e is { Type: "fixity check", Outcome: "failure" }
            && e.Detail.Contains(FixityStack.Cold, StringComparison.Ordinal) && e.Detail.Contains("checked by S3's sha256 checksum, not read", StringComparison.Ordinal));
        var head = await stack.S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = FixityStack.Cold, Key = file.Key, ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal("GLACIER", head.StorageClass?.Value);
        Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(file.Content)), head.ChecksumSHA256);
        var cold = (await stack.Institution.Store.ListCopiesAsync(file.Identifier)).Single(c => c.Id == coldId);
        Assert.Equal(("success", head.ChecksumSHA256), (cold.LastFixityOutcome, cold.ChecksumSha256));
    }

    private static async Task<Guid> CheckOfAsync(FixityStack stack, long storageRecordId)
    {
        await using var command = stack.Database.DataSource.CreateCommand("SELECT check_id FROM fixity.checks WHERE storage_record_id = @id");
        command.Parameters.AddWithValue("id", storageRecordId);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}
