using System.Text;
using Bus.IntegrationTests.Support;
using Bus.Platform.Storage;

namespace Bus.IntegrationTests.Ingest;

/// <summary>
/// A valid bag whose paths are long and non-ASCII (~700 and ~1,000 UTF-8 bytes) is stored like any other:
/// the copies' S3 user metadata holds only ids and the digest, never the path, so it stays within S3's
/// 2 KB (moto does not enforce that limit: the size is measured here on the copies themselves).
/// </summary>
[Collection(IngestStack.Collection)]
public sealed class When_a_bag_has_long_non_ascii_paths
{
    [Fact]
    public async Task It_completes_with_two_verified_copies_whose_metadata_stays_under_2_kb()
    {
        await using var stack = await IngestStack.StartAsync();
        var bag = new TestBag("long-paths-" + Guid.NewGuid().ToString("N")[..8]);
        var medium = LongPath(700);
        var longest = LongPath(1000);
        bag.Payload[medium] = Encoding.UTF8.GetBytes("about seven hundred bytes of path\n");
        bag.Payload[longest] = Encoding.UTF8.GetBytes("about a thousand bytes of path\n");

        var (exit, result) = await stack.SubmitAndWaitAsync(bag);

        Assert.True(exit == 0, $"exit {exit}: {result}\nhost: {stack.Host!.Process.Stdout}");
        var objectId = $"{stack.Institution}/{bag.Name}";
        var copies = await stack.QueryAsync("""
            SELECT f.identifier, s.bucket, s.key FROM registry.storage_records s JOIN registry.generic_files f ON f.id = s.file_id
            JOIN registry.intellectual_objects o ON o.id = f.object_id
            WHERE o.identifier = @o AND s.verified_at IS NOT NULL
            """, r => (File: r.GetString(0), Bucket: r.GetString(1), Key: r.GetString(2)), ("o", objectId));
        foreach (var path in new[] { medium, longest })
        {
            var ofFile = copies.Where(c => c.File == $"{objectId}/{path}").ToList();
            Assert.Equal(2, ofFile.Count);
            foreach (var copy in ofFile)
            {
                var head = await stack.S3.GetObjectMetadataAsync(copy.Bucket, copy.Key);
                var metadata = head.Metadata.Keys.Select(k => new KeyValuePair<string, string>(k, head.Metadata[k])).ToList();
                var bytes = metadata.Sum(p => Encoding.UTF8.GetByteCount(p.Key.Replace("x-amz-meta-", "")) + Encoding.UTF8.GetByteCount(p.Value));
                Assert.True(bytes <= S3Limits.MaxUserMetadataBytes, $"{copy.Bucket}/{copy.Key} carries {bytes} bytes of user metadata");
                Assert.True(Encoding.UTF8.GetByteCount(copy.Key) <= S3Limits.MaxKeyBytes);
                Assert.Equal(TestBag.Sha256(bag.Payload[path]), head.Metadata["sha256"]);
            }
        }
    }

    /// <summary>A payload path of <paramref name="bytes"/> UTF-8 bytes (give or take one), in folders of under 255 bytes each.</summary>
    private static string LongPath(int bytes)
    {
        var folder = string.Concat(Enumerable.Repeat("日本語のファイル名と長いフォルダ", 4)); // 192 bytes
        var path = new StringBuilder("data");
        while (Encoding.UTF8.GetByteCount(path.ToString()) + 1 + 192 + 40 <= bytes) path.Append('/').Append(folder);
        var rest = bytes - Encoding.UTF8.GetByteCount(path.ToString()) - "/.txt".Length;
        path.Append('/').Append(new string('ü', rest / 2)).Append(".txt");
        return path.ToString();
    }
}
