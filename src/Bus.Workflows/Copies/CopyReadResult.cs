using Bus.Hashing;

namespace Bus.Workflows.Copies;

/// <summary>The digests of one read of a copy, keyed by algorithm (lower-case hex), and its size.</summary>
public sealed record CopyDigest(IReadOnlyDictionary<string, string> Digests, long Size);

/// <summary>How far a read of one version of a copy got: every hash has taken in exactly the first <see cref="Offset"/> bytes.</summary>
public sealed record DigestCheckpoint(long Offset, CopyVersion Version, IReadOnlyList<ResumableHash> Hashes)
{
    public CopyDigest Digest => new(Hashes.ToDictionary(h => h.Algorithm, h => h.FinishHex()), Offset);
}

/// <summary>What one slice of reading a copy ended with.</summary>
public abstract record SliceResult
{
    private SliceResult() { }

    /// <summary>The object does not exist.</summary>
    public sealed record Missing : SliceResult;

    /// <summary>The object was replaced since the checkpoint: start over on the new version.</summary>
    public sealed record Changed(string Reason) : SliceResult;

    /// <summary>Stopped before the end (slice spent or host stopping): continue from <see cref="At"/>.</summary>
    public sealed record Paused(long From, DigestCheckpoint At, long BytesRead) : SliceResult;

    /// <summary>Read to the end: <see cref="At"/> is the checkpoint at the end (a redelivery finishes from it without reading).</summary>
    public sealed record Finished(long From, DigestCheckpoint At, long BytesRead) : SliceResult
    {
        public CopyDigest Digest => At.Digest;
    }
}
