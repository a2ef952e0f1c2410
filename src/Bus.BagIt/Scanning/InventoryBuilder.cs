namespace Bus.BagIt.Scanning;

/// <summary>
/// The part of a scan shared by tars and folders: deciding what each entry is, recording problems
/// instead of stopping at the first, hashing regular files through the sink, keeping tag bytes.
/// </summary>
internal sealed class InventoryBuilder(BagSource source, string? bagName, BagScanOptions options, IBagFileSink sink) : IDisposable
{
    private readonly DigestPipeline _pipeline = new();
    private readonly List<BagFile> _files = [];
    private readonly List<BagEntry> _other = [];
    private readonly Dictionary<string, byte[]> _tags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tagsNotKept = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unpausable = new(StringComparer.Ordinal);
    private readonly BagIssueList _findings = new();
    private long _keptTagBytes;
    private long _referencedTagBytes;
    private SmallFileBatch? _batch;
    private Task<SmallFileBatch>? _hashing;

    public string? BagName { get; set; } = bagName;

    public void Finding(string code, string message, string? path) => _findings.Add(new BagIssue(code, message, path));

    /// <summary>
    /// Checks a bag-relative path made of already split segments; null (with a finding) when the
    /// path is unsafe and the entry must be ignored.
    /// </summary>
    public string? SafeRelativePath(IReadOnlyList<string> segments, string shownPath)
    {
        if (segments.Any(s => s == ".."))
        {
            Finding(BagIssueCodes.PathTraversal, $"entry '{shownPath}' contains '..' and could resolve outside the bag", shownPath);
            return null;
        }
        var path = string.Join('/', segments);
        if (path.Any(char.IsControl))
            Finding(BagIssueCodes.PathControlCharacter, $"entry '{Printable(path)}' has a control character in its name", Printable(path));
        return path;
    }

    /// <summary>Records a non-file entry (directory, link, device); links and devices are findings.</summary>
    public void AddOther(string path, BagEntryKind kind, string? linkTarget)
    {
        if (kind != BagEntryKind.Directory && !_seen.Add(path))
            Finding(BagIssueCodes.DuplicateEntry, $"'{path}' appears more than once in the archive", path);
        _other.Add(new BagEntry(path, 0, kind));
        switch (kind)
        {
            case BagEntryKind.SymbolicLink:
            case BagEntryKind.HardLink:
                Finding(BagIssueCodes.EntryLink, $"'{path}' is a {(kind == BagEntryKind.HardLink ? "hard" : "symbolic")} link{(linkTarget is null ? "" : $" to '{linkTarget}'")}; bags must hold regular files only", path);
                break;
            case BagEntryKind.Device:
                Finding(BagIssueCodes.EntryDevice, $"'{path}' is a device or FIFO; bags must hold regular files only", path);
                break;
            case BagEntryKind.Other:
                Finding(BagIssueCodes.EntryUnsupported, $"'{path}' is an unsupported archive entry type", path);
                break;
        }
    }

    /// <summary>
    /// Hashes one regular file (passing it through the sink) and records it. Small files join a
    /// <see cref="SmallFileBatch"/>; their records (and the sink's completion calls) follow when the
    /// batch is hashed, still in tar order. With a <paramref name="place"/> (a time-sliced tar scan)
    /// and a sink that can pause, a large file may stop at a part boundary: the returned
    /// <see cref="PartialEntry"/> is what a later slice continues it from; null when the file is done.
    /// </summary>
    public async Task<PartialEntry?> AddFileAsync(string path, long size, Stream data, FilePlace? place, CancellationToken cancellationToken)
    {
        if (!_seen.Add(path))
        {
            // The first copy is the one recorded; a later one would silently replace it on extraction.
            Finding(BagIssueCodes.DuplicateEntry, $"'{path}' appears more than once in the archive", path);
            return null;
        }
        var entry = new BagEntry(path, size, BagEntryKind.RegularFile);
        var capture = CaptureFor(entry);
        if (size <= SmallFileBatch.Limit)
        {
            using var small = new HashingReadStream(data, size, null, capture, path);
            await sink.WriteAsync(entry, small, cancellationToken);
            var bytes = await small.CompleteSmallAsync(cancellationToken);
            if (capture is not null) _tags[path] = capture.ToArray();
            _batch ??= new SmallFileBatch();
            if (!_batch.TryAdd(path, bytes.Span))
            {
                await DispatchBatchAsync(cancellationToken);
                _batch = new SmallFileBatch();
                _batch.TryAdd(path, bytes.Span);
            }
            return null;
        }

        await FlushBatchesAsync(cancellationToken);
        // A kept tag file is parsed from its captured bytes, which a pause would lose: never paused.
        var pausable = place is not null && capture is null && !_unpausable.Contains(path) && sink is IPausableBagFileSink p && p.CanPause(entry) ? p : null;
        return await WriteLargeAsync(entry, data, capture, pausable is null ? null : (pausable, place!), null, cancellationToken);
    }

    /// <summary>
    /// Finishes (or pauses again) the file an earlier slice stopped inside: <paramref name="data"/>
    /// holds its bytes from <see cref="PartialEntry.BytesDone"/> on. Throws
    /// <see cref="PartialFileRefusedException"/> when the saved digest or sink state is refused.
    /// </summary>
    public async Task<PartialEntry?> ContinueFileAsync(PartialEntry partial, Stream data, Func<bool> pauseRequested, CancellationToken cancellationToken)
    {
        if (sink is not IPausableBagFileSink pausable)
            throw new PartialFileRefusedException(partial.Path, "this scan's sink cannot continue a paused file");
        try
        {
            _pipeline.ResumeFile(partial.DigestStates, partial.BytesDone);
        }
        catch (Bus.Hashing.HashStateException e)
        {
            throw new PartialFileRefusedException(partial.Path, e.Message, e);
        }
        _seen.Add(partial.Path);
        return await WriteLargeAsync(partial.Entry, data, null, (pausable, new FilePlace(partial.HeaderOffset, partial.DataOffset, pauseRequested)), partial, cancellationToken);
    }

    private async Task<PartialEntry?> WriteLargeAsync(BagEntry entry, Stream data, MemoryStream? capture, (IPausableBagFileSink Sink, FilePlace Place)? pausable,
        PartialEntry? resume, CancellationToken cancellationToken)
    {
        var done = resume?.BytesDone ?? 0;
        using var content = new HashingReadStream(data, entry.Size - done, _pipeline, capture, entry.Path);
        FileDigests digests;
        try
        {
            if (pausable is not { } p)
            {
                await sink.WriteAsync(entry, content, cancellationToken);
            }
            else if (await p.Sink.WritePausableAsync(entry, content, done, resume?.SinkState, p.Place.PauseRequested, cancellationToken) is { } sinkState)
            {
                return new PartialEntry
                {
                    HeaderOffset = p.Place.HeaderOffset, DataOffset = p.Place.DataOffset, Path = entry.Path, Size = entry.Size,
                    BytesDone = done + content.Consumed, DigestStates = await content.PauseAsync(cancellationToken), SinkState = sinkState,
                };
            }
            digests = await content.CompleteAsync(cancellationToken);
        }
        catch
        {
            await _pipeline.AbandonFileAsync();
            throw;
        }
        var file = new BagFile(entry.Path, entry.Size, digests);
        _files.Add(file);
        if (capture is not null) _tags[entry.Path] = capture.ToArray();
        await sink.FileCompletedAsync(file, cancellationToken);
        return null;
    }

    /// <summary>Starts hashing the filling batch, after recording the one hashed before it (double buffering).</summary>
    private async Task DispatchBatchAsync(CancellationToken cancellationToken)
    {
        if (_hashing is not null) await RecordAsync(await _hashing, cancellationToken);
        _hashing = _batch is { Count: > 0 } batch ? batch.HashAsync() : null;
        _batch = null;
    }

    /// <summary>Records every small file still pending, before a large file or the end of the bag.</summary>
    public async Task FlushBatchesAsync(CancellationToken cancellationToken)
    {
        await DispatchBatchAsync(cancellationToken);
        if (_hashing is not null) await RecordAsync(await _hashing, cancellationToken);
        _hashing = null;
    }

    private async Task RecordAsync(SmallFileBatch batch, CancellationToken cancellationToken)
    {
        using (batch)
        {
            foreach (var file in batch.Files())
            {
                _files.Add(file);
                await sink.FileCompletedAsync(file, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A buffer for a root-level tag file's bytes when they are to be kept in memory (the state), or
    /// null: not a root tag file; refused as too large (a finding); or read back later from the
    /// options' tag source.
    /// </summary>
    private MemoryStream? CaptureFor(BagEntry entry)
    {
        // Only root-level tag files are parsed; tag directories are hashed like payload.
        if (!entry.IsTagFile || entry.Path.Contains('/')) return null;
        var manifest = Parsing.ManifestParser.IsManifestName(entry.Path, out _, out _);
        if (!manifest && entry.Size > options.MaxTagFileBytes)
        {
            // Too large to keep; refused only when Bus must parse it whole. Any other tag file is hashed like payload.
            _tagsNotKept.Add(entry.Path);
            if (ParsedTagFiles.Contains(entry.Path))
                Finding(BagIssueCodes.TagTooLarge,
                    $"tag file '{BagIssueList.Quote(entry.Path)}' is {entry.Size} bytes; {entry.Path} is parsed in memory and may have at most {options.MaxTagFileBytes}", entry.Path);
            return null;
        }
        if (options.TagSource is not null)
        {
            if (_keptTagBytes + entry.Size <= options.InlineTagBytes)
            {
                _keptTagBytes += entry.Size;
                return new MemoryStream((int)entry.Size);
            }
            // Read back for validation: manifests line by line, other tag files whole (so they count).
            if (!manifest && _referencedTagBytes + entry.Size > options.MaxTotalTagBytes) _tagsNotKept.Add(entry.Path);
            else if (!manifest) _referencedTagBytes += entry.Size;
            return null;
        }
        if (_keptTagBytes + entry.Size > options.MaxTotalTagBytes)
        {
            _tagsNotKept.Add(entry.Path);
            return null;
        }
        _keptTagBytes += entry.Size;
        // Grown as bytes arrive: a header that lies about the size costs nothing up front.
        return new MemoryStream((int)Math.Min(entry.Size, 1024 * 1024));
    }

    /// <summary>
    /// Continues a tar scan that stopped at an entry boundary: the bag-level state of the slices
    /// before, and the paths of the regular files they found (so a duplicate entry in a later slice
    /// is still a duplicate).
    /// </summary>
    public void Resume(TarScanState state, IEnumerable<string> priorFilePaths)
    {
        BagName = state.BagName;
        _other.AddRange(state.OtherEntries);
        _seen.UnionWith(state.OtherEntries.Where(e => e.Kind != BagEntryKind.Directory).Select(e => e.Path));
        _seen.UnionWith(priorFilePaths);
        foreach (var (path, bytes) in state.TagFiles) _tags[path] = bytes;
        _tagsNotKept.UnionWith(state.TagFilesNotKept);
        _findings.AddRange(new BagIssueList(state.Findings, state.FindingsOmitted));
        _keptTagBytes = state.KeptTagBytes;
        _referencedTagBytes = state.ReferencedTagBytes;
        _unpausable.UnionWith(state.UnpausablePaths);
    }

    /// <summary>The bag-level state to resume from; call after <see cref="FlushBatchesAsync"/>.</summary>
    public TarScanState State(IEnumerable<string> strayTopLevels) => new()
    {
        BagName = BagName,
        StrayTopLevels = strayTopLevels.ToList(),
        OtherEntries = _other.ToList(),
        Findings = _findings.ToList(),
        FindingsOmitted = _findings.Omitted,
        TagFiles = new Dictionary<string, byte[]>(_tags, StringComparer.Ordinal),
        TagFilesNotKept = _tagsNotKept.Order(StringComparer.Ordinal).ToList(),
        KeptTagBytes = _keptTagBytes,
        ReferencedTagBytes = _referencedTagBytes,
        UnpausablePaths = _unpausable.Order(StringComparer.Ordinal).ToList(),
    };

    /// <summary>Regular files recorded by this builder (this slice), in tar order.</summary>
    public IReadOnlyList<BagFile> Files => _files;

    public async Task<BagInventory> BuildAsync(string? expectedBagName, CancellationToken cancellationToken)
    {
        await FlushBatchesAsync(cancellationToken);
        return new(source, BagName, expectedBagName, _files, _other, _tags, _tagsNotKept, _findings, options.TagSource);
    }

    public void Dispose()
    {
        _batch?.Dispose();
        _pipeline.Dispose();
    }

    private static string Printable(string path) => string.Concat(path.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
}

/// <summary>Where a tar entry is, and whether to pause: only a time-sliced tar scan gives one.</summary>
internal sealed record FilePlace(long HeaderOffset, long DataOffset, Func<bool> PauseRequested);
