namespace Bus.BagIt.Scanning;

/// <summary>Scans an unserialized bag folder on disk into the same <see cref="BagInventory"/> as a tar.</summary>
public static class FolderBagScanner
{
    public static async Task<BagInventory> ScanAsync(string folder, IBagFileSink? sink = null, BagScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BagScanOptions();
        var root = new DirectoryInfo(Path.GetFullPath(folder));
        if (!root.Exists) throw new BagScanException(BagIssueCodes.TarUnreadable, $"no such folder: {folder}");
        using var builder = new InventoryBuilder(BagSource.Folder, root.Name, options, sink ?? NullBagFileSink.Instance);
        var enumeration = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        List<FileSystemInfo> entries;
        try
        {
            // Ordinal order so a folder scans the same way every time, like a tar's fixed order.
            entries = root.EnumerateFileSystemInfos("*", enumeration).OrderBy(e => e.FullName, StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BagScanException(BagIssueCodes.TarUnreadable, $"cannot list {folder}: {e.Message}", inner: e);
        }
        foreach (var info in entries)
        {
            var relative = Path.GetRelativePath(root.FullName, info.FullName).Replace(Path.DirectorySeparatorChar, '/');
            var path = builder.SafeRelativePath(relative.Split('/'), relative);
            if (path is null) continue;
            if (info.LinkTarget is not null)
            {
                builder.AddOther(path, BagEntryKind.SymbolicLink, info.LinkTarget);
            }
            else if (info is DirectoryInfo)
            {
                builder.AddOther(path, BagEntryKind.Directory, null);
            }
            else
            {
                try
                {
                    await using var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
                    if (!stream.CanSeek) { builder.AddOther(path, BagEntryKind.Device, null); continue; }
                    await builder.AddFileAsync(path, stream.Length, stream, null, cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new BagScanException(BagIssueCodes.TarUnreadable, $"cannot read {info.FullName}: {e.Message}", path, e);
                }
            }
        }
        return await builder.BuildAsync(null, cancellationToken);
    }
}
