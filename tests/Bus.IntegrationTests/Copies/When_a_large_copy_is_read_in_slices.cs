using Bus.Workflows.Steps;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Bus.Platform;
using Bus.Platform.Options;
using Bus.Workflows.Copies;
using Bus.Workflows.Copies.Data;
using Bus.IntegrationTests.Registry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bus.IntegrationTests.Copies;

/// <summary>
/// The kit's sliced read of a large copy (ingest's verify, fixity's checks), one 1 MiB block per slice, against
/// the shared moto_server, each slice's checkpoint in PostgreSQL (bus.copy_read_slices) and every slice read by a
/// fresh reader, as a continuation in another process would.
/// </summary>
public sealed class When_a_large_copy_is_read_in_slices : IAsyncLifetime
{
    private const int Size = 12 * 1024 * 1024 + 12345;
    private static readonly CopyReadSettings Sha256 = new(["sha256"], CopyReader.DefaultBlockBytes, MaxRestartsPerSlice: 3);
    private readonly StorageOptions _storage = new();
    private readonly Amazon.S3.IAmazonS3 _s3;
    /// <summary>Shared by the tests of this class, as a host shares its data source.</summary>
    private static readonly Npgsql.NpgsqlDataSource Database = Npgsql.NpgsqlDataSource.Create(RegistryTestDatabase.ConnectionString);
    private readonly string _key = $"read-slices-{Guid.NewGuid():N}";
    private readonly Guid _readId = Guid.NewGuid();

    public When_a_large_copy_is_read_in_slices() => _s3 = StorageClientFactory.Create(_storage);

    private string Bucket => _storage.StandardHotBucket();

    private SlicedCopyReader NewReader()
    {
        var resilience = new S3Resilience();
        return new SlicedCopyReader(new CopyReader(new S3CopyStorage(_s3, resilience, new CopyWriter(_s3, resilience), new CopyChecksums(_s3, resilience), new CopyTemperature(_s3, resilience))),
            new CopyReadSlices(Database), TimeProvider.System, NullLogger<SlicedCopyReader>.Instance);
    }

    private async Task<string> PutAsync(int seed)
    {
        var bytes = new byte[Size];
        new Random(seed).NextBytes(bytes);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = _key, InputStream = new MemoryStream(bytes) });
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Reads slice after slice, one block each; <paramref name="between"/> runs after each pause with the recorded slice.</summary>
    private async Task<(string Sha256, List<long> Offsets)> ReadInSlicesAsync(Func<CopyReadSlice, Task>? between = null)
    {
        var offsets = new List<long>();
        for (var slice = 0; slice < 100; slice++)
        {
            switch (await NewReader().ReadAsync(_readId, _readId, "test read", new CopyObjectRef(Bucket, _key), Sha256, () => true, () => false, reuseDone: false, CancellationToken.None))
            {
                case SlicedRead.Done done:
                    return (done.Digest!.Digests["sha256"], offsets);
                case SlicedRead.Paused paused:
                    offsets.Add(paused.Record.ToOffset);
                    if (between is not null) await between(paused.Record);
                    break;
                default:
                    throw new InvalidOperationException("no other delivery reads this copy");
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
        var (sha256, offsets) = await ReadInSlicesAsync(async slice =>
        {
            if (slice.ToOffset == 3 * 1024 * 1024) replaced = await PutAsync(2);
        });
        Assert.Equal(replaced, sha256);
        // Never a digest that mixes versions: after the replacement the offsets start again at the first block.
        Assert.Contains(1024L * 1024, offsets.Skip(3));
        var restarted = (await new CopyReadSlices(Database).ListAsync(_readId, CancellationToken.None))[3];
        Assert.Equal(0, restarted.FromOffset);
        Assert.StartsWith("object replaced", restarted.RestartReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_start_again_from_byte_zero_when_the_saved_state_is_damaged()
    {
        var expected = await PutAsync(3);
        var damaged = false;
        var (sha256, offsets) = await ReadInSlicesAsync(async slice =>
        {
            if (damaged || slice.ToOffset != 5 * 1024 * 1024) return;
            damaged = true;
            await using var command = Database.CreateCommand(
                """
                UPDATE bus.copy_read_slices SET hash_states[1] = set_byte(hash_states[1], length(hash_states[1]) - 1, get_byte(hash_states[1], length(hash_states[1]) - 1) # 255)
                WHERE read_id = @id AND slice = @slice
                """);
            command.Parameters.AddWithValue("id", slice.ReadId);
            command.Parameters.AddWithValue("slice", slice.Slice);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        });
        Assert.Equal(expected, sha256);
        Assert.Equal(17, offsets.Count);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await new CopyReadSlices(Database).ForgetAsync(_readId, CancellationToken.None);
        await _s3.DeleteObjectAsync(Bucket, _key);
        _s3.Dispose();
    }
}
