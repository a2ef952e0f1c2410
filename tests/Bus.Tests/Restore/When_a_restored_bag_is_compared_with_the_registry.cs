using System.Security.Cryptography;
using System.Text;
using Bus.BagIt.Scanning;
using Bus.Restore.SpotTests;
using Bus.Restore.Steps;

namespace Bus.Tests.Restore;

#pragma warning disable CA5350, CA5351 // BagIt fixity, not security

/// <summary>A spot test's comparison of the restored bag's files with what the registry recorded at ingest.</summary>
public sealed class When_a_restored_bag_is_compared_with_the_registry
{
    private static BagFile File(string path, string content)
    {
        var b = Encoding.UTF8.GetBytes(content);
        return new BagFile(path, b.Length, FileDigests.FromHex(Convert.ToHexStringLower(MD5.HashData(b)), Convert.ToHexStringLower(SHA1.HashData(b)),
            Convert.ToHexStringLower(SHA256.HashData(b)), Convert.ToHexStringLower(SHA512.HashData(b))));
    }

    private static ExpectedFile Expected(string path, string content, bool withMd5 = true)
    {
        var b = Encoding.UTF8.GetBytes(content);
        var digests = new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(b)) };
        if (withMd5) digests["md5"] = Convert.ToHexStringLower(MD5.HashData(b));
        return new ExpectedFile(path, digests);
    }

    [Fact]
    public void The_same_files_with_the_same_digests_and_the_premis_file_pass()
    {
        var restored = new[] { File("bagit.txt", "b"), File("data/a.txt", "a"), File(RestoreKeys.PremisEventsFile, "{}") };

        var problems = RestoredBagCheck.Compare(restored, [Expected("bagit.txt", "b"), Expected("data/a.txt", "a")]);

        Assert.Empty(problems);
    }

    [Fact]
    public void Every_registered_digest_is_compared_not_only_sha256()
    {
        var expected = Expected("data/a.txt", "a");
        var wrongMd5 = new ExpectedFile("data/a.txt", new Dictionary<string, string>(expected.Digests) { ["md5"] = new string('0', 32) });

        var problems = RestoredBagCheck.Compare([File("data/a.txt", "a")], [wrongMd5]);

        Assert.Contains(problems, p => p.Contains("'data/a.txt' md5", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_an_unregistered_file_and_a_changed_file_are_each_named()
    {
        var restored = new[] { File("data/a.txt", "changed"), File("data/extra.txt", "x") };

        var problems = RestoredBagCheck.Compare(restored, [Expected("data/a.txt", "a"), Expected("data/gone.txt", "g")]);

        Assert.Contains(problems, p => p.Contains("'data/a.txt' md5", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'data/a.txt' sha256", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'data/gone.txt' is registered but not in the restored bag", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'data/extra.txt' is in the restored bag but not registered", StringComparison.Ordinal));
    }

    [Fact]
    public void A_registered_file_without_an_ingest_sha256_does_not_pass()
    {
        var problems = RestoredBagCheck.Compare([File("data/a.txt", "a")], [new ExpectedFile("data/a.txt", new Dictionary<string, string>())]);

        Assert.Contains(problems, p => p.Contains("no ingest sha256", StringComparison.Ordinal));
    }
}
