using Bus.Workflows.Copies;
using System.Text;
using Bus.Contracts.Fixity;
using Bus.Fixity.Steps;
using Bus.Fixity.Data;
using Bus.Fixity.StateMachines.Messages;

namespace Bus.Tests.Fixity;

public class When_digests_are_compared
{
    [Fact]
    public async Task Should_compute_every_configured_digest_in_one_pass_across_small_buffers()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("abc"));
        var digest = await CopyReader.DigestAsync(stream, ["md5", "sha256"], 4096, CancellationToken.None);
        Assert.Equal("900150983cd24fb0d6963f7d28e17f72", digest.Digests["md5"]);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", digest.Digests["sha256"]);
        Assert.Equal(3, digest.Size);

        using var big = new MemoryStream(new byte[10_000]);
        var blocks = await CopyReader.DigestAsync(big, ["sha256"], 4096, CancellationToken.None);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new byte[10_000])), blocks.Digests["sha256"]);
    }

    [Fact]
    public void Should_call_a_copy_damaged_when_any_compared_digest_differs()
    {
        var expected = new Dictionary<string, string> { ["sha256"] = "aa", ["md5"] = "bb" };
        Assert.Equal(CopyConditions.Intact, DigestComparison.Condition(expected, new(new Dictionary<string, string> { ["sha256"] = "AA", ["sha512"] = "zz" }, 1)));
        Assert.Equal(CopyConditions.Mismatch, DigestComparison.Condition(expected, new(new Dictionary<string, string> { ["sha256"] = "aa", ["md5"] = "bc" }, 1)));
        Assert.Equal(CopyConditions.Missing, DigestComparison.Condition(expected, null));
    }

    [Fact]
    public void Should_refuse_to_judge_without_an_ingest_sha256()
    {
        Assert.Throws<MissingIngestDigestException>(() => DigestComparison.Condition(new Dictionary<string, string> { ["md5"] = "bb" }, null));
    }
}
