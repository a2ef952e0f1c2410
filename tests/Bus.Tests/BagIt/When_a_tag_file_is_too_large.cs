using System.Text;
using Bus.BagIt;
using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;

namespace Bus.Tests.BagIt;

/// <summary>
/// A root-level tag file other than a manifest beyond BagScanOptions.MaxTagFileBytes (1 MiB) is one
/// reason and its bytes are never kept; manifests are exempt, however large.
/// </summary>
public class When_a_tag_file_is_too_large
{
    [Fact]
    public async Task Should_be_one_reason_and_not_be_kept()
    {
        var bag = new TestBag();
        bag.Extra["notes.txt"] = Encoding.ASCII.GetBytes(new string('x', 2 * 1024 * 1024));

        var inventory = await bag.ScanTarAsync();
        var result = BagValidator.Validate(inventory, BagProfiles.BagIt);

        Assert.DoesNotContain("notes.txt", inventory.TagFiles.Keys);
        var reason = Assert.Single(result.Errors);
        Assert.Equal((BagIssueCodes.TagTooLarge, "notes.txt"), (reason.Code, reason.Path));
        Assert.Contains($"{2 * 1024 * 1024} bytes", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_keep_to_the_configured_limit_and_exempt_manifests()
    {
        var bag = new TestBag();
        bag.Extra["notes.txt"] = new byte[300];

        var inventory = await bag.ScanTarAsync(options: new BagScanOptions { MaxTagFileBytes = 150 });
        var result = BagValidator.Validate(inventory, BagProfiles.BagIt);

        Assert.True(bag.Files()["manifest-sha256.txt"].Length > 150);
        Assert.Contains("manifest-sha256.txt", inventory.TagFiles.Keys);
        Assert.Equal([(BagIssueCodes.TagTooLarge, "notes.txt")], result.Errors.Select(e => (e.Code, e.Path!)));
    }
}
