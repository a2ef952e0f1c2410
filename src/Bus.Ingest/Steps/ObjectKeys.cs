using Bus.Ingest.Data;

namespace Bus.Ingest.Steps;

/// <summary>
/// Where ingest puts objects: staging under the ingest id; preservation copies by file UUID. A file's
/// first version is stored under its UUID alone; a later version (a reingest that changed the file)
/// under UUID/ingest id, so writing it never touches the bytes the registry still records: a failed or
/// cancelled reingest leaves the previous version intact, and the superseded key is removed only
/// after Record has moved the registry's storage record to the new key. Readers (fixity, deletion)
/// take keys from the registry's storage records, never from this rule.
/// </summary>
public static class ObjectKeys
{
    public static string StagingPrefix(Guid ingestId) => $"{ingestId:D}/";
    public static string Staging(Guid ingestId, Guid fileId) => $"{ingestId:D}/{fileId:D}";
    public static string Preservation(Guid fileId) => fileId.ToString("D");
    public static string Preservation(Guid fileId, Guid ingestId) => $"{fileId:D}/{ingestId:D}";

    /// <summary>
    /// The key this ingest writes <paramref name="file"/> to. A file new to the registry keeps the
    /// name-based UUID Unpack gave it (its staging key is made from that UUID); a reingested path took
    /// the registry's UUID in Validate, so its staging key no longer matches and it gets a version key.
    /// </summary>
    public static string PreservationFor(Guid ingestId, InterimFileState file) =>
        IsNewFile(ingestId, file) ? Preservation(file.FileId) : Preservation(file.FileId, ingestId);

    public static bool IsNewFile(Guid ingestId, InterimFileState file) => file.StagingKey == Staging(ingestId, file.FileId);
}
