namespace Bus.Restore.Steps;

/// <summary>Where a restore's result goes in the restore bucket, and the name of the PREMIS tag file it adds.</summary>
public static class RestoreKeys
{
    /// <summary>The PREMIS events tag file at the restored bag's root (JSON).</summary>
    public const string PremisEventsFile = "premis-events.json";

    public static string ForObject(string institution, string bagName) => $"{institution}/{bagName}.tar";

    /// <summary><c>&lt;institution&gt;/files/&lt;bag&gt;/&lt;path&gt;</c>: the file identifier's path below its institution.</summary>
    public static string ForFile(string institution, string fileIdentifier) => $"{institution}/files/{fileIdentifier[(institution.Length + 1)..]}";
}
