using Bus.Workflows.Copies;
using Bus.Fixity.Data;

namespace Bus.Fixity.Steps;

/// <summary>
/// Makes a cold copy readable before a step reads it in full (a periodic read under <see cref="FixityOptions.ColdInterval"/>,
/// a repair from a cold copy): a HEAD tells whether S3 has restored it; if not, a RestoreObject is sent (tier and days from
/// the options) unless one is running, and the step hands the wait to the saga, which polls on the PostgreSQL scheduler.
/// </summary>
public static class ColdCopyRead
{
    /// <summary>Null when the copy can be read now (restored, or hot after all, or missing: the read says so); otherwise what it waits for.</summary>
    public static async Task<string?> WaitForRestoreAsync(ICopyStorage storage, RegisteredCopy copy, FixityOptions options, CancellationToken ct)
    {
        switch (await storage.ReadinessAsync(copy.Bucket, copy.Key, ct))
        {
            case CopyReadiness.Cold:
                await storage.RequestRestoreAsync(copy.Bucket, copy.Key, options.ColdRestoreTier, options.ColdRestoreDays, ct);
                return $"asked S3 to restore {copy.Bucket}/{copy.Key} ({copy.StorageClass}, {options.ColdRestoreTier} tier, {options.ColdRestoreDays} days)";
            case CopyReadiness.ColdRestoring:
                return $"S3 is restoring {copy.Bucket}/{copy.Key} ({copy.StorageClass})";
            default:
                return null;
        }
    }
}
