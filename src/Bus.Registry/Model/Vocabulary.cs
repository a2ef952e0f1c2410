namespace Bus.Registry.Model;

// The registry stores controlled values as readable text (admins query the tables directly);
// CHECK constraints in the schema keep them to these lists.

public static class Roles
{
    public const string Depositor = "depositor";
    public const string InstitutionalAdmin = "institutional_admin";
    public const string Operator = "operator";
    public static readonly IReadOnlyList<string> All = [Depositor, InstitutionalAdmin, Operator];
}

public static class Access
{
    public const string Consortia = "Consortia";
    public const string Institution = "Institution";
    public const string Restricted = "Restricted";
    public static readonly IReadOnlyList<string> All = [Consortia, Institution, Restricted];
}

/// <summary>State of an object, file or storage copy: deleted rows are tombstones, never removed.</summary>
public static class RecordState
{
    public const string Active = "active";
    public const string Deleted = "deleted";
}

public static class DigestAlgorithms
{
    public const string Md5 = "md5";
    public const string Sha1 = "sha1";
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";
    public static readonly IReadOnlyList<string> All = [Md5, Sha1, Sha256, Sha512];
}

/// <summary>Where a checksum came from: computed at ingest, read from the bag's manifest, or a fixity check.</summary>
public static class ChecksumSources
{
    public const string Ingest = "ingest";
    public const string Manifest = "manifest";
    public const string Fixity = "fixity";
}

public static class FormatMethods
{
    public const string Libmagic = "libmagic";
    public const string Extension = "extension";
}

public static class Outcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
}

/// <summary>PREMIS event types as APTrust writes them.</summary>
public static class EventTypes
{
    public const string Ingestion = "ingestion";
    public const string FixityCheck = "fixity check";
    public const string MessageDigestCalculation = "message digest calculation";
    public const string Replication = "replication";
    public const string IdentifierAssignment = "identifier assignment";
    public const string Creation = "creation";
    public const string AccessAssignment = "access assignment";
    public const string Deletion = "deletion";
}

public static class AlertKinds
{
    public const string FixityMismatch = "fixity-mismatch";
    public const string Lost = "lost";
    public const string Repaired = "repaired";
    /// <summary>A restore spot test failed: the restore failed, the restored bag was invalid, or a digest differed (docs/restore.md).</summary>
    public const string SpotTestFailed = "spot-test-failed";
    /// <summary>A saga waited on a step with no sign of life past its limit, and the watchdog's re-sends ran out (docs/operations.md).</summary>
    public const string StuckSaga = "stuck-saga";
}
