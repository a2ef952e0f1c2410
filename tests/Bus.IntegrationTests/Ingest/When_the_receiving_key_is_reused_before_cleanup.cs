using System.Text;
using Amazon.S3.Model;
using Bus.IntegrationTests.Support;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// A depositor uploads a newer tar to the same receiving key while the first ingest of that key is still
/// running (after Unpack read it). CleanUp deletes only the object it ingested: the newer upload survives.
/// The normal case (the key still holds the ingested tar, so CleanUp deletes it) is in
/// <see cref="When_a_valid_bag_is_ingested"/>.
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_the_receiving_key_is_reused_before_cleanup
{
    [Fact]
    public async Task CleanUp_leaves_the_newer_upload_in_place()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("reused-key-" + Guid.NewGuid().ToString("N")[..8]).WithFiles(100);
        var key = $"{stack.Institution}/{bag.Name}.tar";
        var ingestId = await stack.SubmitAsync(bag);

        // Holding the saga row (the saga repository locks it FOR UPDATE for every event) keeps the ingest from
        // reaching CleanUp while the newer tar is uploaded; Unpack must have finished reading the first one.
        string? newerETag = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (newerETag is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"ingest {ingestId} never finished Unpack; host: {stack.Host!.Process.Stdout}");
            await using var connection = await IngestStack.Database.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using var command = new Npgsql.NpgsqlCommand("""
                SELECT s.current_state, b.unpacked_at IS NOT NULL FROM bus.ingest_saga s
                LEFT JOIN bus.ingest_bags b ON b.ingest_id = s.correlation_id WHERE s.correlation_id = @id FOR UPDATE OF s
                """, connection, tx);
            command.Parameters.AddWithValue("id", ingestId);
            (string State, bool Unpacked)? row = null;
            await using (var r = await command.ExecuteReaderAsync())
                if (await r.ReadAsync()) row = (r.GetString(0), r.GetBoolean(1));
            if (row is { Unpacked: true } unpacked)
            {
                Assert.True(unpacked.State is "Unpacking" or "Validating" or "Identifying" or "Storing" or "Verifying" or "Recording",
                    $"the ingest reached {unpacked.State} before the newer upload (inconclusive)");
                newerETag = (await stack.S3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = stack.Storage.ReceivingBucket, Key = key, ContentBody = "a newer upload to the same key",
                })).ETag;
            }
            await tx.CommitAsync();
            if (newerETag is null) await Task.Delay(100);
        }

        await stack.WaitForStateAsync(ingestId, "Completed");
        var head = await stack.S3.GetObjectMetadataAsync(stack.Storage.ReceivingBucket, key);
        Assert.Equal(newerETag, head.ETag);
        using var body = await stack.S3.GetObjectAsync(stack.Storage.ReceivingBucket, key);
        Assert.Equal("a newer upload to the same key", await new StreamReader(body.ResponseStream, Encoding.UTF8).ReadToEndAsync());
        // The staging objects of the ingest are still cleaned up.
        Assert.Equal(0, await stack.CountObjectsAsync(stack.Storage.StagingBucket, ingestId + "/"));
    }
}
