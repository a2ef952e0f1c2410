using System.Text;
using System.Text.Json;
using Bus.BagIt.Profiles;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;

namespace Bus.Tests.BagIt;

/// <summary>
/// With a tag source (ingest: the staged copies) a time-sliced scan carries no manifest bytes and at
/// most a few KiB of tag files in its state, whatever the manifests weigh; validation streams the
/// manifests from the source and gives what one in-memory pass gives.
/// </summary>
public class When_a_tar_scan_reads_tag_files_back_from_a_source
{
    [Fact]
    public async Task Should_keep_the_state_small_with_a_large_manifest_and_validate_the_same()
    {
        var bag = new TestBag();
        bag.TagManifestAlgorithms.Clear();
        for (var i = 0; i < 200; i++) bag.Payload[$"data/f/{i:D3}"] = Encoding.UTF8.GetBytes($"file {i}\n");
        // Blank lines are skipped by parsers: a 4 MiB manifest that stays valid.
        bag.Tamper = files => files["manifest-sha256.txt"] = [.. files["manifest-sha256.txt"], .. new byte[4 * 1024 * 1024].Select(_ => (byte)'\n')];
        var tar = bag.ToTar();
        var source = new SinkSource();

        var files = new List<BagFile>();
        TarScanState? state = null;
        long offset = 0, largestState = 0;
        var slices = 0;
        while (true)
        {
            var asked = 0;
            using var stream = new NonSeekableStream(new MemoryStream(tar, (int)offset, tar.Length - (int)offset));
            var slice = await TarBagScanner.ScanSliceAsync(stream, offset, state, files.Select(f => f.Path), source,
                new BagScanOptions { ExpectedBagName = bag.Name, TagSource = source }, () => ++asked >= 20, CancellationToken.None);
            files.AddRange(slice.Files);
            var json = JsonSerializer.Serialize(slice.State);
            largestState = Math.Max(largestState, Encoding.UTF8.GetByteCount(json));
            state = JsonSerializer.Deserialize<TarScanState>(json)!;
            slices++;
            if (slice.Finished) break;
            offset = slice.NextOffset;
        }
        var inventory = state.ToInventory(files, bag.Name, source);
        var result = await BagValidator.ValidateAsync(inventory, BagProfiles.Aptrust);

        Assert.True(slices > 3, $"{slices} slices");
        Assert.True(largestState < 64 * 1024, $"a scan state of {largestState} bytes");
        Assert.DoesNotContain("manifest-sha256.txt", inventory.TagFiles.Keys);
        Assert.Contains("manifest-sha256.txt", source.Opened);
        result.IsValidBag();
        Assert.Equal(["md5", "sha256"], result.ManifestAlgorithms);
        var inMemory = BagValidator.Validate(await bag.ScanTarAsync(), BagProfiles.Aptrust);
        Assert.Equal(inMemory.Warnings, result.Warnings);
    }

    /// <summary>Keeps what the scan streams through it, as staging does, and gives it back.</summary>
    private sealed class SinkSource : IBagFileSink, ITagFileSource
    {
        private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
        public List<string> Opened { get; } = [];

        public async Task WriteAsync(BagEntry entry, Stream content, CancellationToken cancellationToken)
        {
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, cancellationToken);
            _files[entry.Path] = copy.ToArray();
        }

        public Task<Stream> OpenAsync(BagFile file, CancellationToken cancellationToken)
        {
            Opened.Add(file.Path);
            return Task.FromResult<Stream>(new MemoryStream(_files[file.Path], writable: false));
        }
    }
}
