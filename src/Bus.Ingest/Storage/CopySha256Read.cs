using Bus.Ingest.Data;

namespace Bus.Ingest.Storage;

/// <summary>What one message's share of reading a copy back came to.</summary>
public abstract record CopySha256Read
{
    private CopySha256Read() { }

    /// <summary>Read to the end: the copy's sha256 (lower-case hex).</summary>
    public sealed record Done(string Sha256) : CopySha256Read;

    /// <summary>The slice is spent part-way through a large copy: save this and continue from it.</summary>
    public sealed record Paused(CopyReadCheckpoint Checkpoint) : CopySha256Read;
}
