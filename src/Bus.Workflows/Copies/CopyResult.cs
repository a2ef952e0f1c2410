namespace Bus.Workflows.Copies;

/// <summary>An open multipart copy: its upload id, part size, and the ETags of parts 1..n copied so far.</summary>
public sealed record CopyUploadCheckpoint(string UploadId, long PartBytes, IReadOnlyList<string> PartETags);

/// <summary>What one message's share of a server-side copy came to.</summary>
public abstract record CopyResult
{
    private CopyResult() { }

    /// <summary>The copy exists: its ETag.</summary>
    public sealed record Done(string ETag) : CopyResult;

    /// <summary>The slice is spent part-way through a multipart copy: save this and continue from it.</summary>
    public sealed record Paused(CopyUploadCheckpoint Checkpoint) : CopyResult;
}
