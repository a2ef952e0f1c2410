using System.Security.Cryptography;
using Amazon.S3.Model;
using Bus.Ingest;
using Bus.Ingest.Data;
using Bus.Ingest.Storage;
using Bus.Platform;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;
using Bus.Workflows.Steps;

namespace Bus.IntegrationTests.Ingest;

/// <summary>Verify's read of a large copy, one 1 MiB block per slice, against the shared moto_server.</summary>
public sealed class When_a_large_copy_is_verified_in_slices : IAsyncLifetime
{
    private const int Size = 12 * 1024 * 1024 + 12345;
    private readonly StorageOptions _storage = new();
    private readonly Amazon.S3.IAmazonS3 _s3;
    private readonly PreservationCopier _copier;
    private readonly string _key = $"verify-slices-{Guid.NewGuid():N}";

    public When_a_large_copy_is_verified_in_slices()
    {
        _s3 = StorageClientFactory.Create(_storage);
        _copier = new PreservationCopier(_s3, new S3Resilience(), Options.Create(_storage), Options.Create(new IngestOptions()));
    }

    private string Bucket => _storage.ReplicaBucket;

    private async Task<string> PutAsync(int seed)
    {
        var bytes = new byte[Size];
        new Random(seed).NextBytes(bytes);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = _key, InputStream = new MemoryStream(bytes) });
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Reads slice after slice, one block each, as continuations would; <paramref name="between"/> runs after each pause.</summary>
    private async Task<(string Sha256, List<long> Offsets)> ReadInSlicesAsync(Func<CopyReadCheckpoint, Task<CopyReadCheckpoint>>? between = null)
    {
        var offsets = new List<long>();
        CopyReadCheckpoint? from = null;
        for (var slice = 0; slice < 100; slice++)
        {
            switch (await _copier.ReadSha256Async(Bucket, _key, from, () => true, CancellationToken.None))
            {
                case CopySha256Read.Done done:
                    return (done.Sha256, offsets);
                case CopySha256Read.Paused paused:
                    offsets.Add(paused.Checkpoint.Offset);
                    from = between is null ? paused.Checkpoint : await between(paused.Checkpoint);
                    break;
            }
        }
        throw new InvalidOperationException("the read never finished");
    }

    [Fact]
    public async Task Should_give_the_sha256_of_one_pass_and_resume_each_slice_where_the_last_stopped()
    {
        var expected = await PutAsync(1);
        var (sha256, offsets) = await ReadInSlicesAsync();
        Assert.Equal(expected, sha256);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => i * 1024L * 1024), offsets);
    }

    [Fact]
    public async Task Should_read_the_new_version_from_the_start_when_the_copy_is_replaced_between_slices()
    {
        await PutAsync(1);
        string? replaced = null;
        var (sha256, offsets) = await ReadInSlicesAsync(async checkpoint =>
        {
            if (checkpoint.Offset == 3 * 1024 * 1024) replaced = await PutAsync(2);
            return checkpoint;
        });
        Assert.Equal(replaced, sha256);
        // Never a digest that mixes versions: after the replacement the offsets start again at the first block.
        Assert.Contains(1024L * 1024, offsets.Skip(3));
    }

    [Fact]
    public async Task Should_start_again_from_byte_zero_when_the_saved_state_is_damaged()
    {
        var expected = await PutAsync(3);
        var damaged = false;
        var (sha256, offsets) = await ReadInSlicesAsync(checkpoint =>
        {
            if (damaged || checkpoint.Offset != 5 * 1024 * 1024) return Task.FromResult(checkpoint);
            damaged = true;
            var state = checkpoint.Sha256State.ToArray();
            state[^1] ^= 0xFF;
            return Task.FromResult(checkpoint with { Sha256State = state });
        });
        Assert.Equal(expected, sha256);
        Assert.Equal(17, offsets.Count);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _s3.DeleteObjectAsync(Bucket, _key);
        _s3.Dispose();
    }
}
