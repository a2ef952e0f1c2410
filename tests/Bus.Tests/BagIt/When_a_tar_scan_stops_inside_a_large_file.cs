using System.Text.Json;
using Bus.BagIt.Scanning;
using Bus.BagIt.Validation;

namespace Bus.Tests.BagIt;

/// <summary>
/// A time-sliced Unpack of a file of tens of GB cannot wait for the file's end: it stops at one of
/// the sink's part boundaries with the four digests' saved states and the sink's own state, and a
/// later slice (another process: everything goes through JSON) reads on from the file's next byte.
/// </summary>
public class When_a_tar_scan_stops_inside_a_large_file
{
    private const int Part = 1024 * 1024;

    private static TestBag BagWithLargeFiles()
    {
        var bag = new TestBag();
        var random = new Random(11);
        byte[] Bytes(int n)
        {
            var bytes = new byte[n];
            random.NextBytes(bytes);
            return bytes;
        }
        bag.Payload["data/a-small.txt"] = Bytes(700);
        bag.Payload["data/b-large.bin"] = Bytes(5 * Part + 123); // ends off a 512-byte block: the padding is skipped on resume
        bag.Payload["data/c-small.txt"] = Bytes(3000);
        bag.Payload["data/d-large.bin"] = Bytes(2 * Part + 7);
        bag.Payload["data/e-exact.bin"] = Bytes(3 * Part); // ends on a part boundary: the last part is never a pause point
        return bag;
    }

    /// <summary>
    /// Scans slice after slice, asked to stop at every chance; <paramref name="between"/> may change the
    /// saved state. A refused continuation is handled as Unpack does: the file is read again from its header, unpaused.
    /// </summary>
    private static async Task<(BagInventory Inventory, List<PartialEntry> Pauses, int Refused)> ScanInSlicesAsync(TestBag bag, PartSink sink,
        Action<TarScanState>? between = null, bool readTagsBack = false)
    {
        var source = readTagsBack ? sink : null;
        var refused = 0;
        var tar = bag.ToTar();
        var files = new List<BagFile>();
        var pauses = new List<PartialEntry>();
        TarScanState? state = null;
        long offset = 0;
        for (var slices = 1; slices < 200; slices++)
        {
            using var stream = new NonSeekableStream(new MemoryStream(tar, (int)offset, tar.Length - (int)offset));
            TarScanSlice slice;
            try
            {
                slice = await TarBagScanner.ScanSliceAsync(stream, offset, state, files.Select(f => f.Path), sink,
                    new BagScanOptions { ExpectedBagName = bag.Name, TagSource = source }, () => true, CancellationToken.None);
            }
            catch (PartialFileRefusedException) when (state?.Partial is { } lost)
            {
                refused++;
                await sink.DiscardAsync(lost.Entry, lost.SinkState, CancellationToken.None);
                state.Partial = null;
                state.UnpausablePaths.Add(lost.Path);
                offset = lost.HeaderOffset;
                continue;
            }
            files.AddRange(slice.Files);
            state = JsonSerializer.Deserialize<TarScanState>(JsonSerializer.Serialize(slice.State))!;
            if (slice.Finished) return (state.ToInventory(files, bag.Name, source), pauses, refused);
            Assert.True(slice.NextOffset > offset, "a slice must make progress");
            offset = slice.NextOffset;
            if (state.Partial is { } partial)
            {
                pauses.Add(partial);
                Assert.Equal(partial.DataOffset + partial.BytesDone, offset);
            }
            between?.Invoke(state);
        }
        throw new InvalidOperationException("the scan never finished");
    }

    [Fact]
    public async Task Should_give_the_digests_and_the_bytes_of_one_pass()
    {
        var bag = BagWithLargeFiles();
        var onePass = await bag.ScanTarAsync();
        var sink = new PartSink();

        var (sliced, pauses, refused) = await ScanInSlicesAsync(bag, sink);

        Assert.Equal(0, refused);
        // One pause after each part but the last: 5 for b (6 parts), 2 for d (3 parts), 2 for e (3 parts).
        Assert.Equal([5, 2, 2], pauses.GroupBy(p => p.Path).Select(g => g.Count()));
        Assert.All(pauses, p => Assert.Equal(0, p.BytesDone % Part));
        Assert.Equal(onePass.Files.Select(f => (f.Path, f.Size, f.Digests.Md5, f.Digests.Sha1, f.Digests.Sha256, f.Digests.Sha512)),
            sliced.Files.Select(f => (f.Path, f.Size, f.Digests.Md5, f.Digests.Sha1, f.Digests.Sha256, f.Digests.Sha512)));
        foreach (var path in new[] { "data/b-large.bin", "data/d-large.bin", "data/e-exact.bin" })
            Assert.Equal(bag.Payload[path], sink.Written[path]);
        Assert.True(BagValidator.Validate(sliced).IsValid);
    }

    [Fact]
    public async Task Should_refuse_a_damaged_digest_state_and_read_that_file_again_whole()
    {
        var bag = BagWithLargeFiles();
        var onePass = await bag.ScanTarAsync();
        var sink = new PartSink();
        var damaged = false;

        var (sliced, pauses, refused) = await ScanInSlicesAsync(bag, sink, state =>
        {
            if (damaged || state.Partial is not { Path: "data/b-large.bin", BytesDone: 2 * Part } partial) return;
            damaged = true;
            partial.DigestStates[2][40] ^= 0x55; // sha256's state: its checksum no longer matches
        });

        Assert.True(damaged);
        Assert.Equal(1, refused);
        Assert.Equal(["data/b-large.bin"], sink.Discarded);
        // Paused at 1 and 2 MiB, refused, then read whole: no later pause inside it. The other files still pause.
        Assert.Equal([Part, 2 * Part], pauses.Where(p => p.Path == "data/b-large.bin").Select(p => p.BytesDone));
        Assert.Contains(pauses, p => p.Path == "data/d-large.bin");
        Assert.Equal(onePass.Files.Select(f => (f.Path, f.Digests.Md5, f.Digests.Sha256, f.Digests.Sha512)),
            sliced.Files.Select(f => (f.Path, f.Digests.Md5, f.Digests.Sha256, f.Digests.Sha512)));
        Assert.Equal(bag.Payload["data/b-large.bin"], sink.Written["data/b-large.bin"]);
        Assert.True(BagValidator.Validate(sliced).IsValid);
    }

    [Fact]
    public async Task Should_pause_inside_a_large_manifest_read_back_from_the_sink()
    {
        var bag = BagWithLargeFiles();
        bag.TagManifestAlgorithms.Clear();
        // Blank lines are skipped by parsers: a valid 3 MiB manifest, three parts.
        bag.Tamper = files => files["manifest-sha256.txt"] = [.. files["manifest-sha256.txt"], .. Enumerable.Repeat((byte)'\n', 3 * Part)];
        var sink = new PartSink();

        var (sliced, pauses, _) = await ScanInSlicesAsync(bag, sink, readTagsBack: true);

        Assert.Contains(pauses, p => p.Path == "manifest-sha256.txt");
        Assert.DoesNotContain("manifest-sha256.txt", sliced.TagFiles.Keys);
        (await BagValidator.ValidateAsync(sliced, Bus.BagIt.Profiles.BagProfiles.Aptrust)).IsValidBag();
    }

    /// <summary>Keeps each file's parts in memory (and gives them back as a tag source); its state is the count of parts written.</summary>
    private sealed class PartSink : IPausableBagFileSink, ITagFileSource
    {
        public Task<Stream> OpenAsync(BagFile file, CancellationToken cancellationToken) => Task.FromResult<Stream>(new MemoryStream(Written[file.Path], writable: false));

        private readonly Dictionary<string, MemoryStream> _open = [];
        public Dictionary<string, byte[]> Written { get; } = [];
        public List<string> Discarded { get; } = [];

        public bool CanPause(BagEntry entry) => entry.Size > Part;

        public async Task WriteAsync(BagEntry entry, Stream content, CancellationToken cancellationToken)
        {
            var copy = new MemoryStream();
            await content.CopyToAsync(copy, cancellationToken);
            Written[entry.Path] = copy.ToArray();
        }

        public async Task<string?> WritePausableAsync(BagEntry entry, Stream content, long bytesDone, string? resumeState, Func<bool> pauseRequested,
            CancellationToken cancellationToken)
        {
            if (resumeState is null) _open[entry.Path] = new MemoryStream();
            var file = _open[entry.Path];
            if (resumeState is not null && (file.Length != bytesDone || resumeState != $"{bytesDone / Part}"))
                throw new PartialFileRefusedException(entry.Path, "not the upload this sink has open");
            var buffer = new byte[Part];
            while (true)
            {
                var read = await content.ReadAtLeastAsync(buffer, Part, throwOnEndOfStream: false, cancellationToken);
                if (read == 0) break;
                file.Write(buffer, 0, read);
                if (file.Length < entry.Size && pauseRequested()) return $"{file.Length / Part}";
            }
            Written[entry.Path] = file.ToArray();
            _open.Remove(entry.Path);
            return null;
        }

        public Task DiscardAsync(BagEntry entry, string resumeState, CancellationToken cancellationToken)
        {
            _open.Remove(entry.Path);
            Discarded.Add(entry.Path);
            return Task.CompletedTask;
        }
    }
}
