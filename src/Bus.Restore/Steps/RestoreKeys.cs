namespace Bus.Restore.Steps;

/// <summary>Where a restore's result goes in the restore bucket, and the name of the PREMIS tag file it adds.</summary>
public static class RestoreKeys
{
    /// <summary>The PREMIS events tag file at the restored bag's root (JSON).</summary>
    public const string PremisEventsFile = "premis-events.json";

    public static string ForObject(string institution, string bagName) => $"{institution}/{bagName}.tar";

    /// <summary>
    /// Where a restore stages what it makes for itself in the restore bucket while it runs (its PREMIS events file),
    /// a prefix no institution can have (identifiers start with a letter or digit); removed when the restore ends.
    /// </summary>
    public static string WorkPrefix(Guid restoreId) => $".restore-work/{restoreId:N}/";

    /// <summary><c>&lt;institution&gt;/files/&lt;bag&gt;/&lt;path&gt;</c>: the file identifier's path below its institution.</summary>
    public static string ForFile(string institution, string fileIdentifier) => $"{institution}/files/{fileIdentifier[(institution.Length + 1)..]}";

    /// <summary>Where spot tests put their restored tars (<c>spot-tests/&lt;institution&gt;/...</c>), apart from restores people asked for.</summary>
    public const string SpotTestPrefix = "spot-tests/";

    /// <summary>
    /// Why <paramref name="key"/> may not be where a restore of an object of <paramref name="institution"/> goes, or
    /// null: a requested destination must be a <c>.tar</c> directly under the institution's spot-test prefix, so a
    /// request can never overwrite another restore's result or another institution's.
    /// </summary>
    public static string? DestinationError(string institution, string key)
    {
        var prefix = $"{SpotTestPrefix}{institution}/";
        var name = key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : null;
        return name is null || name.Length is < 5 or > 512 || !name.EndsWith(".tar", StringComparison.Ordinal) || name.Contains('/') || name.StartsWith('.')
               || name.Any(char.IsControl)
            ? $"destination key '{(key.Length > 200 ? key[..200] + "..." : key)}' must be a .tar directly under '{prefix}'"
            : null;
    }
}
