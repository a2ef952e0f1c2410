using Bus.BagIt.Profiles;
using Bus.BagIt.Validation;

namespace Bus.Tests.BagIt;

public class When_an_aptrust_bag_lacks_aptrust_info
{
    [Fact]
    public async Task Should_reject_it_under_aptrust_but_not_bagit()
    {
        var bag = new TestBag { AptrustInfo = null };
        (await bag.ValidateAsync(BagProfiles.Aptrust)).HasError("profile.tag-file-missing", "aptrust-info.txt");
        (await bag.ValidateAsync(BagProfiles.BagIt)).IsValidBag();
    }
}

public class When_aptrust_info_has_bad_values
{
    [Theory]
    [InlineData("Access", "Public", "profile.tag-value-not-allowed")]
    [InlineData("Storage-Option", "Glacier-XX", "profile.tag-value-not-allowed")]
    [InlineData("Title", "  ", "profile.tag-missing")]
    public async Task Should_reject_it(string label, string value, string code)
    {
        var bag = new TestBag();
        bag.AptrustInfo![label] = value;
        (await bag.ValidateAsync(BagProfiles.Aptrust)).HasError(code, $"aptrust-info.txt:{label}");
    }

    [Theory]
    [InlineData("Standard")]
    [InlineData("Glacier-Deep-VA")]
    [InlineData("Wasabi-OR")]
    [InlineData("Wasabi-TX")]
    public async Task Should_accept_every_listed_storage_option(string option)
    {
        var bag = new TestBag();
        bag.AptrustInfo!["Storage-Option"] = option;
        (await bag.ValidateAsync(BagProfiles.Aptrust)).IsValidBag();
    }
}

public class When_an_aptrust_bag_has_no_md5_manifest
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag();
        bag.ManifestAlgorithms.Remove("md5");
        (await bag.ValidateAsync(BagProfiles.Aptrust)).HasError("profile.manifest-required", "manifest-md5.txt");
    }
}

public class When_an_aptrust_bag_has_fetch_txt
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag();
        bag.Extra["fetch.txt"] = "http://example.org/a 1 data/hello.txt\n"u8.ToArray();
        (await bag.ValidateAsync(BagProfiles.Aptrust)).HasError("profile.fetch-not-allowed");
    }
}

public class When_an_aptrust_bag_uses_an_old_bagit_version
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag { Version = "0.96" };
        (await bag.ValidateAsync(BagProfiles.Aptrust)).HasError("profile.bagit-version");
    }
}

public class When_a_bag_names_the_btr_profile
{
    [Fact]
    public async Task Should_be_validated_as_btr_and_need_its_bag_info_tags()
    {
        var bag = new TestBag { AptrustInfo = null };
        bag.BagInfo.RemoveAll(t => t.Key == "Bagging-Date");
        bag.BagInfo.Add(new("BagIt-Profile-Identifier", BagProfiles.Btr.Identifier));
        var result = BagValidator.Validate(await bag.ScanTarAsync());
        Assert.Equal("btr", result.Profile);
        result.HasError("profile.tag-missing", "bag-info.txt:Bagging-Date");
        Assert.DoesNotContain(result.Errors, e => e.Path == "aptrust-info.txt");
    }

    [Fact]
    public async Task Should_default_to_aptrust_otherwise_and_warn_about_an_unknown_identifier()
    {
        var bag = new TestBag();
        bag.BagInfo.Add(new("BagIt-Profile-Identifier", "https://example.org/unknown.json"));
        var result = BagValidator.Validate(await bag.ScanTarAsync());
        Assert.Equal("aptrust", result.Profile);
        result.HasWarning("profile.unknown-identifier");
    }
}

public class When_a_btr_bag_lacks_payload_oxum
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag { WritePayloadOxum = false };
        (await bag.ValidateAsync(BagProfiles.Btr)).HasError("profile.tag-missing", "bag-info.txt:Payload-Oxum");
    }
}

public class When_profiles_are_loaded
{
    [Fact]
    public void Should_read_the_shipped_json()
    {
        Assert.Equal(["md5"], BagProfiles.Aptrust.ManifestsRequired);
        Assert.True(BagProfiles.Aptrust.TarDirMustMatchName);
        // The profile accepts exactly the default storage options (Bus:Storage:Options).
        Assert.Equal(Bus.Platform.Options.StorageOptions.DefaultOptions.Keys.Order(StringComparer.Ordinal),
            BagProfiles.Aptrust.TagFileTags["aptrust-info.txt"]["Storage-Option"].Values!.Order(StringComparer.Ordinal));
        Assert.Empty(BagProfiles.Btr.ManifestsRequired);
        Assert.True(BagProfiles.Btr.BagInfo["Source-Organization"].Required);
    }

    [Fact]
    public void Should_refuse_a_broken_profile_with_a_clear_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => BagProfile.Load(new MemoryStream("{ \"Manifests-Required\": 3 }"u8.ToArray()), "broken.json"));
        Assert.Contains("broken.json", error.Message, StringComparison.Ordinal);
    }
}
