using Amazon.Runtime;

namespace Bus.Fixity.Steps;

/// <summary>
/// The S3 client validates the checksum S3 sends with a whole-object GET against the bytes it received, and throws at
/// the end of the body when they differ: S3 vouches for other bytes than it served. For fixity that is a verdict on the
/// copy (mismatch), not a transient error to retry for hours: decay under an unchanged checksum attribute is exactly
/// what a full read is for.
/// </summary>
public static class ServedChecksum
{
    /// <summary>The AWS SDK's message (AWSSDK.Core 4.0) when a response's checksum does not match its body.</summary>
    public const string SdkMessage = "Expected hash not equal to calculated hash";

    public const string Describe = "the bytes S3 served do not match the SHA-256 checksum S3 holds for the object (the client refused them); damaged";

    public static bool Refused(Exception e) =>
        e is AmazonClientException && e.Message.Contains(SdkMessage, StringComparison.Ordinal)
        || e.InnerException is { } inner && Refused(inner);
}
