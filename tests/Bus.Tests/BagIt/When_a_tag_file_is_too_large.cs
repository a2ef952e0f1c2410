using System.Text;
using Bus.BagIt;
using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;

namespace Bus.Tests.BagIt;

/// <summary>
/// BagScanOptions.MaxTagFileBytes (1 MiB) bounds the root tag files Bus parses whole in memory (bagit.txt,
/// bag-info.txt, fetch.txt, aptrust-info.txt): a larger one is one reason and its bytes are never kept. Any other
/// root tag file (a restored bag's premis-events.json) is only hashed as it streams and checked against the tag
/// manifests, whatever its size; manifests are read line by line.
/// </summary>
public class When_a_tag_file_is_too_large
{
    private static readonly byte[] ManyEvents = Encoding.UTF8.GetBytes(
        "[" + string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"{{\"identifier\":\"{Guid.NewGuid()}\",\"type\":\"fixity check\",\"outcome\":\"success\",\"n\":{i}}}")) + "]");

    /// <summary>A bag whose premis-events.json is listed in its tag manifests, as a restore writes it.</summary>
    private static TestBag WithPremisEvents(byte[] events, byte[]? delivered = null)
    {
        var bag = new TestBag();
        bag.Tamper = files =>
        {
            files["premis-events.json"] = events;
            var tags = files.Where(f => !f.Key.StartsWith("data/", StringComparison.Ordinal) && !f.Key.StartsWith("tagmanifest-", StringComparison.Ordinal)).ToDictionary();
            foreach (var algorithm in bag.TagManifestAlgorithms) files[$"tagmanifest-{algorithm}.txt"] = TestBag.Manifest(algorithm, tags);
            if (delivered is not null) files["premis-events.json"] = delivered;
        };
        return bag;
    }

    [Fact]
    public async Task A_multi_MiB_premis_events_file_is_hashed_not_parsed_and_the_bag_validates()
    {
        Assert.True(ManyEvents.Length > 2 * 1024 * 1024, $"{ManyEvents.Length} bytes");
        var bag = WithPremisEvents(ManyEvents);

        var inventory = await bag.ScanTarAsync();
        var result = BagValidator.Validate(inventory, BagProfiles.Aptrust);

        result.IsValidBag();
        Assert.DoesNotContain("premis-events.json", inventory.TagFiles.Keys);
        Assert.Equal(ManyEvents.LongLength, inventory.Files.Single(f => f.Path == "premis-events.json").Size);
    }

    [Fact]
    public async Task A_multi_MiB_premis_events_file_that_differs_from_the_tag_manifest_is_refused()
    {
        var changed = (byte[])ManyEvents.Clone();
        changed[^2] ^= 1;
        var bag = WithPremisEvents(ManyEvents, delivered: changed);

        var result = BagValidator.Validate(await bag.ScanTarAsync(), BagProfiles.Aptrust);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Path == "premis-events.json" && e.Code != BagIssueCodes.TagTooLarge);
    }

    [Fact]
    public async Task An_oversized_bag_info_is_one_clear_reason_and_not_kept()
    {
        var bag = new TestBag();
        bag.BagInfo.Add(new("Internal-Sender-Description", new string('x', 2 * 1024 * 1024)));

        var inventory = await bag.ScanTarAsync();
        var result = BagValidator.Validate(inventory, BagProfiles.BagIt);

        Assert.DoesNotContain("bag-info.txt", inventory.TagFiles.Keys);
        var reason = Assert.Single(result.Errors, e => e.Code == BagIssueCodes.TagTooLarge);
        Assert.Equal("bag-info.txt", reason.Path);
        Assert.Contains("bytes; bag-info.txt is parsed in memory and may have at most 1048576", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_configured_limit_applies_to_parsed_tag_files_only()
    {
        var bag = new TestBag();
        bag.Extra["notes.txt"] = new byte[300];
        bag.AptrustInfo!["Description"] = new string('d', 300);

        var inventory = await bag.ScanTarAsync(options: new BagScanOptions { MaxTagFileBytes = 150 });
        var result = BagValidator.Validate(inventory, BagProfiles.BagIt);

        Assert.True(bag.Files()["manifest-sha256.txt"].Length > 150);
        Assert.Contains("manifest-sha256.txt", inventory.TagFiles.Keys);
        Assert.DoesNotContain("notes.txt", inventory.TagFiles.Keys);
        Assert.Equal([(BagIssueCodes.TagTooLarge, "aptrust-info.txt")], result.Errors.Select(e => (e.Code, e.Path!)));
    }
}
