namespace Bus.Restore.Steps;

/// <summary>Where a restore's result goes in the restore bucket, and the name of the PREMIS tag file it adds.</summary>
public static class RestoreKeys
{
    /// <summary>The PREMIS events tag file at the restored bag's root (JSON).</summary>
    public const string PremisEventsFile = "premis-events.json";

    public static string ForObject(string institution, string bagName) => $"{institution}/{bagName}.tar";

    /// <summary>
    /// What a restore stages for itself in the restore bucket while it runs (its PREMIS events file), under a prefix
    /// no institution can have (identifiers start with a letter or digit); removed when the restore ends.
    /// </summary>
    public static string Work(Guid restoreId, string name) => $".restore-work/{restoreId:N}/{name}";

    /// <summary><c>&lt;institution&gt;/files/&lt;bag&gt;/&lt;path&gt;</c>: the file identifier's path below its institution.</summary>
    public static string ForFile(string institution, string fileIdentifier) => $"{institution}/files/{fileIdentifier[(institution.Length + 1)..]}";
}
