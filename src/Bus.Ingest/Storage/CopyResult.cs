using Bus.Ingest.Data;

namespace Bus.Ingest.Storage;

/// <summary>What one message's share of copying a staged file to a preservation bucket came to.</summary>
public abstract record CopyResult
{
    private CopyResult() { }

    /// <summary>The copy exists: its ETag.</summary>
    public sealed record Done(string ETag) : CopyResult;

    /// <summary>The slice is spent part-way through a multipart copy: save this and continue from it.</summary>
    public sealed record Paused(CopyUploadCheckpoint Checkpoint) : CopyResult;
}
