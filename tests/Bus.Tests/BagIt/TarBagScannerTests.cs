using Bus.BagIt.Scanning;

namespace Bus.Tests.BagIt;

public class When_a_tar_bag_is_scanned
{
    [Fact]
    public async Task Should_compute_all_four_digests_of_small_and_multi_chunk_files()
    {
        var bag = new TestBag();
        var large = new byte[5 * 1024 * 1024 + 3];
        new Random(7).NextBytes(large);
        bag.Payload["data/large.bin"] = large;
        bag.Payload["data/empty"] = [];
        var inventory = await bag.ScanTarAsync();
        foreach (var (path, bytes) in bag.Payload)
        {
            var file = Assert.Single(inventory.Files, f => f.Path == path);
            Assert.Equal(bytes.Length, file.Size);
            Assert.Equal(TestBag.Hash("md5", bytes), file.Digests.Md5);
            Assert.Equal(TestBag.Hash("sha1", bytes), file.Digests.Sha1);
            Assert.Equal(TestBag.Hash("sha256", bytes), file.Digests.Sha256);
            Assert.Equal(TestBag.Hash("sha512", bytes), file.Digests.Sha512);
        }
    }

    [Fact]
    public async Task Should_keep_tar_order_and_digests_across_small_file_batches_and_large_files()
    {
        var bag = new TestBag();
        var random = new Random(11);
        for (var i = 0; i < 2500; i++)
        {
            var bytes = new byte[random.Next(0, 700)];
            random.NextBytes(bytes);
            bag.Payload[$"data/d{i / 1000}/f{i:D4}"] = bytes;
        }
        var large = new byte[200_000];
        random.NextBytes(large);
        bag.Payload["data/d1/f1200-large"] = large;
        var inventory = await bag.ScanTarAsync();
        var payload = inventory.Files.Where(f => f.IsPayload).ToList();
        Assert.Equal(bag.Payload.Keys, payload.Select(f => f.Path));
        Assert.All(payload, f => Assert.Equal(TestBag.Hash("sha1", bag.Payload[f.Path]), f.Digests.Sha1));
        Assert.All(payload, f => Assert.Equal(TestBag.Hash("sha512", bag.Payload[f.Path]), f.Digests.Sha512));
        (await bag.ValidateAsync()).IsValidBag();
    }

    [Fact]
    public async Task Should_name_the_bag_after_its_folder_and_keep_root_tag_files()
    {
        var inventory = await new TestBag().ScanTarAsync();
        Assert.Equal("test-bag", inventory.BagName);
        Assert.Equal(["aptrust-info.txt", "bag-info.txt", "bagit.txt", "manifest-md5.txt", "manifest-sha256.txt", "tagmanifest-md5.txt"], inventory.TagFiles.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("BagIt-Version: 1.0", inventory.TagText("bagit.txt"), StringComparison.Ordinal);
        Assert.Equal("17.2", inventory.PayloadOxum);
    }

    [Fact]
    public async Task Should_refuse_to_keep_tag_files_beyond_the_total_in_memory()
    {
        var bag = new TestBag();
        var inventory = await bag.ScanTarAsync(options: new BagScanOptions { MaxTotalTagBytes = 64 });
        Assert.Contains("manifest-sha256.txt", inventory.TagFilesNotKept);
        Bus.BagIt.Validation.BagValidator.Validate(inventory, Bus.BagIt.Profiles.BagProfiles.BagIt).HasError("tag.too-large", "manifest-sha256.txt");
    }

    [Fact]
    public async Task Should_accept_dot_slash_prefixed_entries()
    {
        var bag = new TestBag();
        var tar = bag.ToTar(topFolder: "./test-bag");
        var inventory = await TarBagScanner.ScanAsync(new NonSeekableStream(new MemoryStream(tar)));
        Assert.Equal("test-bag", inventory.BagName);
        Assert.Contains(inventory.Files, f => f.Path == "data/hello.txt");
    }

    [Fact]
    public async Task Should_fail_clearly_on_a_truncated_tar()
    {
        var bag = new TestBag();
        bag.Payload["data/large.bin"] = new byte[100_000];
        var tar = bag.ToTar();
        var cut = tar.AsSpan(0, 50_000).ToArray();
        var error = await Assert.ThrowsAsync<BagScanException>(() => TarBagScanner.ScanAsync(new NonSeekableStream(new MemoryStream(cut))));
        Assert.Contains(error.Code, new[] { "tar.truncated", "tar.unreadable" });
    }

    [Fact]
    public async Task Should_fail_clearly_on_something_that_is_not_a_tar()
    {
        var junk = new byte[4096];
        new Random(1).NextBytes(junk);
        var error = await Assert.ThrowsAsync<BagScanException>(() => TarBagScanner.ScanAsync(new NonSeekableStream(new MemoryStream(junk))));
        Assert.Equal("tar.unreadable", error.Code);
    }
}

public class When_a_sink_receives_the_files
{
    private sealed class RecordingSink(int readAtMost) : IBagFileSink
    {
        public Dictionary<string, byte[]> Received { get; } = [];
        public List<BagFile> Completed { get; } = [];

        public async Task WriteAsync(BagEntry entry, Stream content, CancellationToken cancellationToken)
        {
            Assert.False(content.CanSeek);
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while (buffer.Length < readAtMost && (read = await content.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, readAtMost - buffer.Length)), cancellationToken)) > 0)
                buffer.Write(chunk, 0, read);
            Received[entry.Path] = buffer.ToArray();
        }

        public Task FileCompletedAsync(BagFile file, CancellationToken cancellationToken)
        {
            Completed.Add(file);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Should_stream_each_file_exactly_and_report_its_digests_after()
    {
        var bag = new TestBag();
        var large = new byte[2 * 1024 * 1024 + 5];
        new Random(3).NextBytes(large);
        bag.Payload["data/large.bin"] = large;
        var sink = new RecordingSink(int.MaxValue);
        var inventory = await bag.ScanTarAsync(sink);
        Assert.Equal(large, sink.Received["data/large.bin"]);
        Assert.Equal(bag.Files()["bagit.txt"], sink.Received["bagit.txt"]);
        Assert.Equal(inventory.Files.Select(f => f.Path), sink.Completed.Select(f => f.Path));
        Assert.Equal(TestBag.Hash("sha256", large), sink.Completed.Single(f => f.Path == "data/large.bin").Digests.Sha256);
    }

    [Fact]
    public async Task Should_still_hash_what_a_sink_leaves_unread()
    {
        var bag = new TestBag();
        var large = new byte[3 * 1024 * 1024];
        new Random(4).NextBytes(large);
        bag.Payload["data/large.bin"] = large;
        var inventory = await bag.ScanTarAsync(new RecordingSink(readAtMost: 10_000));
        Assert.Equal(TestBag.Hash("sha512", large), inventory.Files.Single(f => f.Path == "data/large.bin").Digests.Sha512);
        Assert.Equal(bag.Files()["bagit.txt"], inventory.TagFiles["bagit.txt"]);
    }
}

public class When_a_bag_folder_is_scanned
{
    [Fact]
    public async Task Should_produce_the_same_inventory_as_its_tar()
    {
        var folder = Directory.CreateTempSubdirectory("bagit-test-").FullName;
        try
        {
            var bag = new TestBag();
            var bagFolder = Path.Combine(folder, bag.Name);
            bag.ToFolder(bagFolder);
            var fromFolder = await FolderBagScanner.ScanAsync(bagFolder);
            var fromTar = await bag.ScanTarAsync();
            Assert.Equal(fromTar.BagName, fromFolder.BagName);
            Assert.Equal(fromTar.Files.Select(f => (f.Path, f.Digests.Sha512)).Order(), fromFolder.Files.Select(f => (f.Path, f.Digests.Sha512)).Order());
            Bus.BagIt.Validation.BagValidator.Validate(fromFolder, Bus.BagIt.Profiles.BagProfiles.Aptrust).IsValidBag();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
