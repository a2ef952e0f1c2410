using Bus.Fixity;
using Bus.Platform.Options;

namespace Bus.Tests.Fixity;

public class When_fixity_options_are_invalid
{
    private static List<string> Check(FixityOptions options) => BusOptionsValidator<FixityOptions>.Check(options, "Production").ToList();

    [Fact]
    public void Should_accept_the_defaults() => Assert.Empty(Check(new FixityOptions()));

    [Fact]
    public void Should_name_an_unknown_algorithm() =>
        Assert.Equal("Bus:Fixity:Algorithms has unknown algorithm(s) crc32: expected some of md5, sha1, sha256, sha512",
            Assert.Single(Check(new FixityOptions { Algorithms = "sha256,crc32" })));

    [Fact]
    public void Should_require_sha256() =>
        Assert.StartsWith("Bus:Fixity:Algorithms must include sha256", Assert.Single(Check(new FixityOptions { Algorithms = "md5" })), StringComparison.Ordinal);

    [Fact]
    public void Should_reject_a_zero_batch_size() =>
        Assert.Equal("Bus:Fixity:BatchSize must be 1-100000 (got 0)", Assert.Single(Check(new FixityOptions { BatchSize = 0 })));
}
