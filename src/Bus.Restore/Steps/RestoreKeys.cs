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
}
