namespace Bus.Ingest.Data;

/// <summary>
/// A path of the bag the registry already knows: its file UUID (kept by a reingest), the sha256 last
/// ingested, and whether it is still preserved (active, a verified copy in every required bucket).
/// </summary>
public sealed record RegisteredFile(Guid FileId, string Sha256, bool Preserved);
