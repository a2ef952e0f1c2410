namespace Bus.Ingest.Storage;

/// <summary>Where ingest puts objects: staging under the ingest id, preservation copies by file UUID alone.</summary>
public static class ObjectKeys
{
    public static string StagingPrefix(Guid ingestId) => $"{ingestId:D}/";
    public static string Staging(Guid ingestId, Guid fileId) => $"{ingestId:D}/{fileId:D}";
    public static string Preservation(Guid fileId) => fileId.ToString("D");
}
