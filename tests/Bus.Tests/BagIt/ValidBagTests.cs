using Bus.BagIt.Profiles;

namespace Bus.Tests.BagIt;

/// <summary>The baseline every rule test changes one thing of: it must be valid under every profile.</summary>
public class When_a_bag_is_complete_and_valid
{
    [Fact]
    public async Task Should_be_valid_under_aptrust_btr_and_bagit()
    {
        var bag = new TestBag();
        bag.BagInfo.Add(new("BagIt-Profile-Identifier", BagProfiles.Btr.Identifier));
        (await bag.ValidateAsync(BagProfiles.Aptrust)).IsValidBag();
        (await bag.ValidateAsync(BagProfiles.Btr)).IsValidBag();
        (await bag.ValidateAsync(BagProfiles.BagIt)).IsValidBag();
    }

    [Fact]
    public async Task Should_report_name_version_counts_and_oxum()
    {
        var result = await new TestBag().ValidateAsync(BagProfiles.Aptrust);
        Assert.Equal("test-bag", result.BagName);
        Assert.Equal("1.0", result.BagItVersion);
        Assert.Equal(2, result.PayloadFileCount);
        Assert.Equal("17.2", result.PayloadOxum);
        Assert.Equal(["md5", "sha256"], result.ManifestAlgorithms);
    }

    [Fact]
    public async Task Should_report_every_error_not_just_the_first()
    {
        var bag = new TestBag();
        bag.Extra["data/extra.txt"] = "x"u8.ToArray();
        bag.Tamper = files => files["data/hello.txt"] = "changed"u8.ToArray();
        bag.AptrustInfo!["Access"] = "Everyone";
        var result = await bag.ValidateAsync(BagProfiles.Aptrust);
        result.HasError("payload.unlisted-file", "data/extra.txt");
        result.HasError("checksum.mismatch", "data/hello.txt");
        result.HasError("oxum.mismatch");
        result.HasError("profile.tag-value-not-allowed");
    }
}
