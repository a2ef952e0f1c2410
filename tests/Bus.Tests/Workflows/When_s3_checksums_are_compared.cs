using System.Security.Cryptography;
using Bus.Workflows.Copies;

namespace Bus.Tests.Workflows;

public class When_s3_checksums_are_compared
{
    [Fact]
    public void A_single_request_copy_reports_base64_of_the_files_sha256()
    {
        var bytes = "preserved"u8.ToArray();
        var expected = CopyChecksums.FromHex(Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(bytes)), expected);
        Assert.True(CopyChecksums.Matches(expected, expected));
        Assert.False(CopyChecksums.Matches(expected, Convert.ToBase64String(SHA256.HashData("other"u8.ToArray()))));
        Assert.False(CopyChecksums.Matches(expected, null));
    }

    [Fact]
    public void A_multipart_copy_reports_the_sha256_of_its_part_digests_with_or_without_the_part_count()
    {
        var parts = new[] { "part one"u8.ToArray(), "part two"u8.ToArray(), "3"u8.ToArray() }.Select(SHA256.HashData).ToList();
        var composite = CopyChecksums.Composite(parts);
        var digest = Convert.ToBase64String(SHA256.HashData(parts.SelectMany(p => p).ToArray()));
        Assert.Equal(digest + "-3", composite);
        // S3 reports "<digest>-3"; moto 5.2.1 leaves the count out.
        Assert.True(CopyChecksums.Matches(composite, digest + "-3"));
        Assert.True(CopyChecksums.Matches(composite, digest));
        Assert.False(CopyChecksums.Matches(composite, digest + "-2"));
    }
}
