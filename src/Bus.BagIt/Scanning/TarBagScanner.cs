using System.Formats.Tar;

namespace Bus.BagIt.Scanning;

/// <summary>
/// Reads a bag serialized as a tar from a forward-only stream (an S3 GET body, a pipe), entry by
/// entry with <see cref="TarReader"/>: no seeking, no local disk, only a few 1 MiB chunks in memory.
/// </summary>
public static class TarBagScanner
{
    public static async Task<BagInventory> ScanAsync(Stream tar, IBagFileSink? sink = null, BagScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BagScanOptions();
        var slice = await ScanSliceAsync(tar, 0, null, [], sink, options, null, cancellationToken);
        return slice.State.ToInventory(slice.Files, options.ExpectedBagName, options.TagSource);
    }

    /// <summary>
    /// Scans part of a tar: <paramref name="tar"/> starts at byte <paramref name="offset"/> of the
    /// archive, where a previous slice stopped (0 and null state for the first). Between entries, once
    /// the slice has done something, <paramref name="stopRequested"/> is asked whether to stop: then
    /// every file read so far is complete (digests final, sink told) and the slice returns the offset
    /// of the next entry's header and the state to resume from. A large file whose sink can pause
    /// (<see cref="IPausableBagFileSink"/>) is asked too, at each of the sink's part boundaries: then
    /// the state carries a <see cref="PartialEntry"/> (digest and sink states) and the offset is the
    /// file's next unread byte, so no slice outlasts one part however large the file. Resuming gives
    /// the same files and findings as one pass. A slice always does at least one file or part.
    /// </summary>
    public static async Task<TarScanSlice> ScanSliceAsync(Stream tar, long offset, TarScanState? state, IEnumerable<string> priorFilePaths,
        IBagFileSink? sink, BagScanOptions? options, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        options ??= new BagScanOptions();
        using var builder = new InventoryBuilder(BagSource.Tar, null, options, sink ?? NullBagFileSink.Instance);
        if (state is not null) builder.Resume(state, priorFilePaths);
        var strayTopLevels = new HashSet<string>(state?.StrayTopLevels ?? [], StringComparer.Ordinal);
        // TarReader reads each 512-byte header and small file with its own read call; a buffer
        // turns the thousands of small reads of a many-file bag into few large ones (an S3 body or
        // a file read once per header would cost a syscall or more per entry).
        // Not disposed: that would close the caller's stream (BufferedStream has no leaveOpen).
        // Watched: a read that fails down there is the source's (I/O), anything else the archive's.
        var source = new WatchedReadStream(tar, options.SourceLength);
        var buffered = new BufferedStream(source, DigestPipeline.ChunkSize);
        var lookahead = new LookaheadStream(buffered);
        // Counted above the buffers: the count is what TarReader consumed, i.e. its place in the archive.
        var counted = new CountingReadStream(lookahead, offset);
        var next = offset;
        var entries = 0;
        if (state?.Partial is { } partial)
        {
            if (offset != partial.NextOffset)
                throw new ArgumentException($"a slice inside '{partial.Path}' starts at tar offset {partial.NextOffset}, not {offset}", nameof(offset));
            // The builder reads exactly the file's remaining bytes from the tar.
            if (await builder.ContinueFileAsync(partial, counted, stopRequested ?? (() => false), cancellationToken) is { } again)
                return Paused(builder, strayTopLevels, again);
            next = partial.DataOffset + Padded(partial.Size);
            await SkipAsync(counted, next - counted.Offset, partial.Path, cancellationToken);
            entries++;
        }
        // Made after a paused file's rest is read: TarReader starts at an entry header.
        await using var reader = new TarReader(counted, leaveOpen: true);
        TarEntry? previous = null;
        while (true)
        {
            if (entries > 0 && stopRequested?.Invoke() == true)
            {
                await builder.FlushBatchesAsync(cancellationToken);
                return new TarScanSlice(false, next, builder.State(strayTopLevels), builder.Files);
            }
            var headerOffset = next;
            TarEntry? entry;
            try
            {
                // Data nobody read (an ignored entry's) is read here, as TarReader would, so the
                // guard sees the next header within one block.
                if (previous?.DataStream is { } unread) await unread.CopyToAsync(Stream.Null, cancellationToken);
                await TarHeaderGuard.CheckAsync(lookahead, next - counted.Offset, options.MaxTarMetadataBytes, counted.Offset, cancellationToken);
                entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken);
            }
            catch (Exception e) when (IsArchiveFault(e, source))
            {
                throw ArchiveFault(e, headerOffset, null);
            }
            if (entry is null) break;
            previous = entry;
            entries++;
            // TarReader returns an entry with its headers read and its data not yet: the data and
            // its padding to the 512-byte block follow, then the next entry's first header. An
            // entry without a data stream (a pax global header) has had its data read already.
            var dataOffset = counted.Offset;
            next = entry.DataStream is null ? dataOffset : dataOffset + Padded(entry.Length);
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) continue;

            var name = entry.Name;
            if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':'))
            {
                builder.Finding(BagIssueCodes.PathAbsolute, $"entry '{name}' has an absolute path", name);
                continue;
            }
            // "./bag/data/x" and "bag//data/x" name the same file as "bag/data/x".
            var segments = name.Split('/').Where(s => s.Length > 0 && s != ".").ToList();
            if (segments.Count == 0) continue;
            var top = segments[0];
            if (top == "..")
            {
                builder.Finding(BagIssueCodes.PathTraversal, $"entry '{name}' resolves outside the archive", name);
                continue;
            }
            var kind = KindOf(entry.EntryType);
            if (segments.Count == 1 && kind != BagEntryKind.Directory)
            {
                builder.Finding(BagIssueCodes.TarEntryOutsideBagFolder, $"entry '{name}' is not inside the bag's top-level folder", name);
                continue;
            }
            builder.BagName ??= top;
            if (top != builder.BagName)
            {
                if (strayTopLevels.Add(top))
                    builder.Finding(BagIssueCodes.TarMultipleTopLevel, $"the tar has a second top-level folder '{top}' besides '{builder.BagName}'; a bag tar holds exactly one", top);
                continue;
            }
            if (segments.Count == 1) continue; // the bag folder itself
            var path = builder.SafeRelativePath(segments.Skip(1).ToList(), name);
            if (path is null) continue;

            if (kind == BagEntryKind.RegularFile)
            {
                if (entry.DataStream is null)
                {
                    await builder.AddFileAsync(path, 0, Stream.Null, null, cancellationToken);
                    continue;
                }
                // Watched apart from the sink: what the sink throws (a staging upload's S3 error) passes on.
                var data = new WatchedReadStream(entry.DataStream);
                try
                {
                    var place = stopRequested is null ? null : new FilePlace(headerOffset, dataOffset, stopRequested);
                    if (await builder.AddFileAsync(path, entry.Length, data, place, cancellationToken) is { } paused)
                        return Paused(builder, strayTopLevels, paused);
                }
                catch (Exception e) when (data.Failed && IsArchiveFault(e, source))
                {
                    throw ArchiveFault(e, headerOffset, path);
                }
            }
            else
            {
                builder.AddOther(path, kind, entry.LinkName is { Length: > 0 } link ? link : null);
            }
        }
        if (builder.BagName is null)
            builder.Finding(BagIssueCodes.TarNoBagFolder, "the tar holds no top-level bag folder", null);
        await builder.FlushBatchesAsync(cancellationToken);
        return new TarScanSlice(true, next, builder.State(strayTopLevels), builder.Files);
    }

    private static TarScanSlice Paused(InventoryBuilder builder, IEnumerable<string> strayTopLevels, PartialEntry partial)
    {
        // Small files before the paused one were flushed when it started (a large file flushes the batch).
        var state = builder.State(strayTopLevels);
        state.Partial = partial;
        return new TarScanSlice(false, partial.NextOffset, state, builder.Files);
    }

    /// <summary>
    /// Whether an exception out of TarReader is the archive's fault: anything but a failed read of the
    /// source (I/O: ingest retries it), a cancellation, or a <see cref="BagScanException"/> already made.
    /// TarReader throws many types for a damaged header (InvalidDataException, FormatException,
    /// ArgumentOutOfRangeException for a timestamp, InvalidOperationException for a size, NotSupportedException
    /// for a sparse entry, EndOfStreamException), so they are told apart by origin, not listed by type.
    /// </summary>
    private static bool IsArchiveFault(Exception e, WatchedReadStream source) =>
        !source.Failed && e is not (OperationCanceledException or BagScanException or OutOfMemoryException);

    private static BagScanException ArchiveFault(Exception e, long headerOffset, string? path)
    {
        var where = path is null ? $"at the entry starting at byte {headerOffset}" : $"inside '{path}' (entry at byte {headerOffset})";
        return e switch
        {
            EndOfStreamException => new(BagIssueCodes.TarTruncated, $"the tar ends {where}: truncated or corrupt archive", path, e),
            NotSupportedException => new(BagIssueCodes.EntryUnsupported, $"unsupported tar entry {where}: {e.Message}", path, e),
            _ => new(BagIssueCodes.TarUnreadable, $"not a readable tar archive {where}: {e.Message}", path, e),
        };
    }

    private static long Padded(long length) => (length + 511) / 512 * 512;

    /// <summary>Reads past a paused file's padding to the next 512-byte block, where the next header starts.</summary>
    private static async Task SkipAsync(Stream stream, long count, string path, CancellationToken cancellationToken)
    {
        var padding = new byte[512];
        if (count is < 0 or > 512) throw new InvalidOperationException($"after '{path}' the scan is {count} bytes from the next header");
        if (count > 0 && await stream.ReadAtLeastAsync(padding.AsMemory(0, (int)count), (int)count, throwOnEndOfStream: false, cancellationToken) < count)
            throw new BagScanException(BagIssueCodes.TarTruncated, $"the tar ends inside the padding after '{path}': truncated or corrupt archive", path);
    }

    /// <summary>Scans a local tar file; the expected bag name defaults to the file name without <c>.tar</c>.</summary>
    public static async Task<BagInventory> ScanFileAsync(string tarPath, BagScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BagScanOptions();
        if (options.ExpectedBagName is null) options = options with { ExpectedBagName = BagNameFromTarName(tarPath) };
        // Not FileOptions.Asynchronous: on Linux that sends every read through the thread pool.
        await using var file = new FileStream(tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        return await ScanAsync(file, null, options, cancellationToken);
    }

    /// <summary>The bag name a tar's file or object key implies: <c>x/y/bag1.tar</c> is <c>bag1</c>.</summary>
    public static string BagNameFromTarName(string tarNameOrKey)
    {
        var name = tarNameOrKey[(tarNameOrKey.LastIndexOfAny(['/', '\\']) + 1)..];
        return name.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
    }

    private static BagEntryKind KindOf(TarEntryType type) => type switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => BagEntryKind.RegularFile,
        TarEntryType.Directory => BagEntryKind.Directory,
        TarEntryType.SymbolicLink => BagEntryKind.SymbolicLink,
        TarEntryType.HardLink => BagEntryKind.HardLink,
        TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo => BagEntryKind.Device,
        _ => BagEntryKind.Other,
    };
}
