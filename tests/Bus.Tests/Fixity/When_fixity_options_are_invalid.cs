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

    [Fact]
    public void Should_accept_a_yearly_cold_read() => Assert.Empty(Check(new FixityOptions { ColdInterval = TimeSpan.FromDays(365) }));

    [Fact]
    public void Should_refuse_a_cold_read_more_often_than_daily() =>
        Assert.StartsWith("Bus:Fixity:ColdInterval must be at least 1 day", Assert.Single(Check(new FixityOptions { ColdInterval = TimeSpan.FromHours(1) })), StringComparison.Ordinal);

    [Fact]
    public void Should_refuse_abandoning_a_check_that_still_waits_for_a_restore() =>
        Assert.StartsWith("Bus:Fixity:AbandonAfter must be longer than a check's longest wait for a cold copy's restore",
            Assert.Single(Check(new FixityOptions { AbandonAfter = TimeSpan.FromDays(1) })), StringComparison.Ordinal);

    [Fact]
    public void Should_name_an_unknown_restore_tier() =>
        Assert.Equal("Bus:Fixity:ColdRestoreTier must be one of Bulk, Standard, Expedited (got 'Fast')", Assert.Single(Check(new FixityOptions { ColdRestoreTier = "Fast" })));
}
