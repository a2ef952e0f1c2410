using System.Formats.Tar;
using System.Text.Json;
using Bus.BagIt;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;

namespace Bus.Tests.BagIt;

/// <summary>
/// A time-sliced Unpack stops between tar entries and a later slice, maybe on another process,
/// reads on from the returned offset with only the JSON state and the paths found so far. These
/// check that slices put together give exactly what one pass gives.
/// </summary>
public class When_a_tar_scan_is_resumed
{
    private static TestBag ManyFileBag()
    {
        var bag = new TestBag();
        var random = new Random(5);
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 3000)];
            random.NextBytes(bytes);
            bag.Payload[$"data/d{i % 7}/f{i:D3}"] = bytes;
        }
        var large = new byte[300_000]; // beyond the small-file batches: hashed through the pipeline
        random.NextBytes(large);
        bag.Payload["data/d3/large.bin"] = large;
        return bag;
    }

    /// <summary>Scans in slices of <paramref name="entriesPerSlice"/> entries, each from a fresh stream at the offset, state through JSON.</summary>
    internal static async Task<(BagInventory Inventory, int Slices)> ScanInSlicesAsync(byte[] tar, int entriesPerSlice, string expectedName)
    {
        var files = new List<BagFile>();
        TarScanState? state = null;
        long offset = 0;
        for (var slices = 1; ; slices++)
        {
            var asked = 0;
            using var stream = new NonSeekableStream(new MemoryStream(tar, (int)offset, tar.Length - (int)offset));
            var slice = await TarBagScanner.ScanSliceAsync(stream, offset, state, files.Select(f => f.Path), null,
                new BagScanOptions { ExpectedBagName = expectedName }, () => ++asked >= entriesPerSlice, CancellationToken.None);
            files.AddRange(slice.Files);
            state = JsonSerializer.Deserialize<TarScanState>(JsonSerializer.Serialize(slice.State))!;
            Assert.True(slice.Finished || slice.NextOffset > offset, "a slice must make progress");
            if (slice.Finished) return (state.ToInventory(files, expectedName), slices);
            Assert.Equal(0, slice.NextOffset % 512);
            offset = slice.NextOffset;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public async Task Should_find_the_same_files_digests_and_tags_as_one_pass(int entriesPerSlice)
    {
        var bag = ManyFileBag();
        var tar = bag.ToTar();
        var onePass = await bag.ScanTarAsync();

        var (sliced, slices) = await ScanInSlicesAsync(tar, entriesPerSlice, bag.Name);

        Assert.True(slices > 1, $"only {slices} slice(s)");
        Assert.Equal(onePass.Files.Select(f => (f.Path, f.Size, f.Digests.Sha512, f.Digests.Md5)),
            sliced.Files.Select(f => (f.Path, f.Size, f.Digests.Sha512, f.Digests.Md5)));
        Assert.Equal(onePass.TagFiles.Keys.Order(StringComparer.Ordinal), sliced.TagFiles.Keys.Order(StringComparer.Ordinal));
        Assert.All(onePass.TagFiles, t => Assert.Equal(t.Value, sliced.TagFiles[t.Key]));
        Assert.Equal(onePass.OtherEntries, sliced.OtherEntries);
        Assert.Equal(onePass.PayloadOxum, sliced.PayloadOxum);
        Assert.Equal(onePass.BagName, sliced.BagName);
        Assert.True(BagValidator.Validate(sliced).IsValid);
    }

    [Fact]
    public async Task Should_still_report_a_duplicate_entry_that_comes_in_a_later_slice()
    {
        var bag = ManyFileBag();
        var duplicate = new PaxTarEntry(TarEntryType.RegularFile, $"{bag.Name}/data/d0/f000") { DataStream = new MemoryStream([9, 9, 9]) };
        var stray = new PaxTarEntry(TarEntryType.RegularFile, "other-bag/x") { DataStream = new MemoryStream([1]) };
        var strayAgain = new PaxTarEntry(TarEntryType.RegularFile, "other-bag/y") { DataStream = new MemoryStream([2]) };
        var tar = bag.ToTar(extraEntries: [stray, duplicate, strayAgain]);

        var (sliced, _) = await ScanInSlicesAsync(tar, 1, bag.Name);

        var onePass = await bag.ScanTarAsync(extraEntries: [stray, duplicate, strayAgain]);
        Assert.Contains(sliced.Findings, f => f.Code == BagIssueCodes.DuplicateEntry && f.Path == "data/d0/f000");
        Assert.Equal(onePass.Findings, sliced.Findings);
        // The first copy is the one kept, in every slice.
        Assert.Equal(TestBag.Hash("sha256", bag.Payload["data/d0/f000"]), sliced.Files.Single(f => f.Path == "data/d0/f000").Digests.Sha256);
    }
}
