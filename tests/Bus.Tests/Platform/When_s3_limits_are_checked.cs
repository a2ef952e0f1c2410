using Bus.Ingest.Steps;
using Bus.Ingest.Data;
using Bus.Platform.Storage;

namespace Bus.Tests.Platform;

/// <summary>S3's request limits, which moto does not enforce, checked in code before a request is sent.</summary>
public class When_s3_limits_are_checked
{
    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    [Fact]
    public void Metadata_of_2048_utf8_bytes_passes_and_one_more_byte_is_refused()
    {
        // 'é' is two UTF-8 bytes: S3 counts bytes, not characters.
        S3Limits.CheckMetadata([new("k", new string('é', 1023) + "a")]);
        var e = Assert.Throws<S3LimitException>(() => S3Limits.CheckMetadata([new("k", new string('é', 1024))]));
        Assert.Contains("2049", e.Message);
    }

    [Fact]
    public void Metadata_counts_every_key_and_value()
    {
        static List<KeyValuePair<string, string>> Pairs(int valueLength) =>
            Enumerable.Range(0, 20).Select(i => new KeyValuePair<string, string>($"key{i:00}", new string('v', valueLength))).ToList();
        S3Limits.CheckMetadata(Pairs(97)); // 20 x (5 + 97) = 2,040 bytes
        Assert.Throws<S3LimitException>(() => S3Limits.CheckMetadata(Pairs(98))); // 2,060
        // The x-amz-meta- prefix the SDK adds is not counted.
        S3Limits.CheckMetadata([new("x-amz-meta-k", new string('v', 2047))]);
    }

    [Fact]
    public void A_key_over_1024_utf8_bytes_is_refused_before_sending()
    {
        S3Limits.CheckKey(new string('é', 512));
        Assert.Throws<S3LimitException>(() => S3Limits.CheckKey(new string('é', 512) + "a"));
        Assert.Throws<S3LimitException>(() => S3Limits.CheckKey(""));
    }

    [Fact]
    public void A_single_put_or_copy_over_5_gib_is_refused()
    {
        S3Limits.CheckSingleRequest(5 * GiB);
        Assert.Throws<S3LimitException>(() => S3Limits.CheckSingleRequest(5 * GiB + 1));
    }

    [Theory]
    [InlineData(5 * MiB - 1)]
    [InlineData(5 * GiB + 1)]
    public void A_part_size_outside_5_mib_to_5_gib_is_refused(long partBytes) =>
        Assert.Throws<S3LimitException>(() => S3Limits.CheckMultipart(100 * GiB, partBytes));

    [Fact]
    public void More_than_10000_parts_are_refused()
    {
        S3Limits.CheckMultipart(10_000 * 16 * MiB, 16 * MiB);
        Assert.Throws<S3LimitException>(() => S3Limits.CheckMultipart(10_000 * 16 * MiB + 1, 16 * MiB));
    }

    [Fact]
    public void An_object_over_5_tib_is_refused()
    {
        S3Limits.CheckObjectSize(5 * 1024 * GiB);
        Assert.Throws<S3LimitException>(() => S3Limits.CheckObjectSize(5 * 1024 * GiB + 1));
        Assert.Throws<S3LimitException>(() => S3Limits.CheckMultipart(5 * 1024 * GiB + 1, 5 * GiB));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(160 * GiB)]
    [InlineData(160 * GiB + 1)]
    [InlineData(5 * 1024 * GiB)]
    public void A_part_size_is_chosen_that_fits_10000_parts(long size)
    {
        var part = S3Limits.PartBytesFor(size, 16 * MiB);
        Assert.True(part >= 16 * MiB && part % MiB == 0);
        S3Limits.CheckMultipart(size, part);
        Assert.Equal(part, StagingSink.PartBytesFor(size));
    }

    [Fact]
    public void A_copy_of_a_file_with_a_long_non_ascii_path_has_bounded_metadata()
    {
        // A valid bag's path may be any length; none of it goes into the copy's metadata.
        var path = "data/" + string.Concat(Enumerable.Repeat("日本語のファイル名", 100)) + ".txt";
        var file = new InterimFileState(path, Guid.NewGuid(), 10, new string('a', 64), "s", true, true, null, null, null, null, null, 0, null,
            "", "", "", null, null, null);
        var metadata = StoreFilesConsumer.Metadata(Guid.NewGuid(), file);
        S3Limits.CheckMetadata(metadata);
        Assert.DoesNotContain(metadata.Values, v => v.Contains("ファイル") || v.Contains("%E6"));
        Assert.True(metadata.Sum(p => p.Key.Length + p.Value.Length) < 200);
    }
}
