using System.Formats.Tar;
using Bus.BagIt;
using Bus.BagIt.Scanning;

namespace Bus.Tests.BagIt;

/// <summary>
/// Hand-made headers TarReader cannot take: each ends the scan with a <see cref="BagScanException"/>
/// and its reason code (ingest: BagInvalid; busctl: exit 2), within bounded memory. A failing source
/// stream stays an I/O error, which ingest retries.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class When_a_tar_header_is_hostile
{
    /// <summary>The valid test bag's tar without its end-of-archive blocks, then <paramref name="raw"/>, then the end.</summary>
    private static byte[] BagThen(params byte[][] raw)
    {
        var tar = new TestBag().ToTar();
        return [.. tar.AsSpan(0, tar.Length - 2 * TarDamage.Block), .. raw.SelectMany(r => r), .. TarDamage.EndOfArchive];
    }

    private static async Task<(BagScanException Error, long Allocated)> RefusedAsync(byte[] tar, BagScanOptions? options = null)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var error = await Assert.ThrowsAsync<BagScanException>(() =>
            TarBagScanner.ScanAsync(new NonSeekableStream(new MemoryStream(tar)), null, options ?? new BagScanOptions()));
        return (error, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    [Theory]
    [InlineData('x')]
    [InlineData('g')]
    [InlineData('L')]
    [InlineData('K')]
    public async Task Should_refuse_a_metadata_header_claiming_a_huge_size_before_reading_it(char type)
    {
        // TarReader would rent a buffer of the claimed 1.5 GB (measured) before finding the data missing.
        var (error, allocated) = await RefusedAsync(BagThen(TarDamage.Header("test-bag/data/x", type, 1_500_000_000)));
        Assert.Equal(BagIssueCodes.TarHeaderTooLarge, error.Code);
        Assert.True(allocated < 32L * 1024 * 1024, $"allocated {allocated / 1024 / 1024} MiB");
    }

    [Fact]
    public async Task Should_refuse_a_huge_metadata_header_behind_a_gnu_long_name()
    {
        // L then K then x: TarReader reads all three in one step, the third's data in full.
        var name = TarDamage.Padded("test-bag/data/long\0"u8.ToArray());
        var (error, _) = await RefusedAsync(BagThen(TarDamage.Header("././@LongLink", 'L', 19), name,
            TarDamage.Header("././@LongLink", 'K', 19), name, TarDamage.Header("test-bag/data/x", 'x', 1_500_000_000)));
        Assert.Equal(BagIssueCodes.TarHeaderTooLarge, error.Code);
    }

    [Fact]
    public async Task Should_honour_the_metadata_limit_and_accept_headers_within_it()
    {
        var records = TarDamage.PaxRecords(("path", "test-bag/data/" + new string('n', 1500)));
        var tar = BagThen(TarDamage.Header("PaxHeader", 'x', records.Length), TarDamage.Padded(records),
            TarDamage.Header("test-bag/data/short", '0', 3), TarDamage.Padded([1, 2, 3]));
        var inventory = await TarBagScanner.ScanAsync(new NonSeekableStream(new MemoryStream(tar)));
        Assert.Contains(inventory.Files, f => f.Path == "data/" + new string('n', 1500) && f.Size == 3);
        var (error, _) = await RefusedAsync(tar, new BagScanOptions { MaxTarMetadataBytes = 1024 });
        Assert.Equal(BagIssueCodes.TarHeaderTooLarge, error.Code);
    }

    [Fact]
    public async Task Should_refuse_a_sparse_entry_with_its_own_code()
    {
        var (error, _) = await RefusedAsync(BagThen(TarDamage.Header("test-bag/data/sparse", 'S', 100), new byte[TarDamage.Block]));
        Assert.Equal(BagIssueCodes.EntryUnsupported, error.Code);
    }

    [Theory]
    [InlineData("uid", "99999999999")]
    [InlineData("mtime", "-99999999999999")]
    [InlineData("size", "-5")]
    public async Task Should_refuse_a_corrupt_number_as_unreadable(string key, string value)
    {
        var records = TarDamage.PaxRecords((key, value));
        var (error, _) = await RefusedAsync(BagThen(TarDamage.Header("PaxHeader", 'x', records.Length), TarDamage.Padded(records),
            TarDamage.Header("test-bag/data/n", '0', 1), TarDamage.Padded([1])));
        Assert.Equal(BagIssueCodes.TarUnreadable, error.Code);
    }

    [Fact]
    public async Task Should_report_an_unknown_entry_type_and_read_on()
    {
        var inventory = await TarBagScanner.ScanAsync(new NonSeekableStream(new MemoryStream(
            BagThen(TarDamage.Header("test-bag/data/odd", 'Z', 700), new byte[2 * TarDamage.Block], TarDamage.Header("test-bag/data/after", '0', 1), TarDamage.Padded([7])))));
        Assert.Contains(inventory.Findings, f => f.Code == BagIssueCodes.EntryUnsupported && f.Path == "data/odd");
        Assert.Contains(inventory.Files, f => f.Path == "data/after");
    }

    [Fact]
    public async Task Should_resume_after_ignored_entries_and_a_global_header_at_the_right_offset()
    {
        // Data nobody reads (an unknown type, an absolute path) and a pax global header (whose data
        // TarReader reads itself) between files: every slice must start at a header.
        var global = new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = new string('c', 1500) });
        var bag = new TestBag();
        var tar = bag.ToTar(extraEntries: [global, new PaxTarEntry(TarEntryType.RegularFile, "test-bag/data/late") { DataStream = new MemoryStream([5, 6]) }]);
        tar = [.. tar.AsSpan(0, tar.Length - 2 * TarDamage.Block), .. TarDamage.Header("test-bag/data/odd", 'Z', 700), .. new byte[2 * TarDamage.Block],
            .. TarDamage.Header("/abs", '0', 600), .. new byte[2 * TarDamage.Block], .. TarDamage.Header("test-bag/data/last", '0', 1), .. TarDamage.Padded([7]), .. TarDamage.EndOfArchive];
        var onePass = await TarBagScanner.ScanAsync(new NonSeekableStream(new MemoryStream(tar)), null, new BagScanOptions { ExpectedBagName = bag.Name });
        var (sliced, _) = await When_a_tar_scan_is_resumed.ScanInSlicesAsync(tar, 1, bag.Name);
        Assert.Equal(onePass.Files.Select(f => (f.Path, f.Digests.Sha256)), sliced.Files.Select(f => (f.Path, f.Digests.Sha256)));
        Assert.Contains(sliced.Files, f => f.Path == "data/last");
        Assert.Equal(onePass.Findings, sliced.Findings);
    }

    [Fact]
    public async Task Should_let_a_failing_source_stream_through_as_an_io_error()
    {
        var tar = new TestBag().ToTar();
        var broken = new FailingStream(tar, failAt: 3000);
        await Assert.ThrowsAsync<IOException>(() => TarBagScanner.ScanAsync(broken));
    }

    [Fact]
    public async Task Should_treat_a_source_ending_before_its_declared_length_as_an_io_error()
    {
        var tar = new TestBag().ToTar();
        var cut = new NonSeekableStream(new MemoryStream(tar, 0, 3000));
        var error = await Assert.ThrowsAsync<IOException>(() => TarBagScanner.ScanAsync(cut, null, new BagScanOptions { SourceLength = tar.Length }));
        Assert.IsNotType<BagScanException>(error.InnerException);
        // Without a declared length the same bytes are a truncated tar.
        var (truncated, _) = await RefusedAsync(tar[..3000]);
        Assert.Contains(truncated.Code, new[] { BagIssueCodes.TarTruncated, BagIssueCodes.TarUnreadable });
    }

    /// <summary>A source that fails like a reset connection after <c>failAt</c> bytes.</summary>
    private sealed class FailingStream(byte[] bytes, int failAt) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAt) throw new IOException("Connection reset by peer");
            var n = Math.Min(count, Math.Min(failAt, bytes.Length) - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
