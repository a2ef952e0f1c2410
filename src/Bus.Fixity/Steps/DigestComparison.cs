using Bus.Contracts.Fixity;
using Bus.Fixity.StateMachines.Messages;
using Bus.Workflows.Copies;

namespace Bus.Fixity.Steps;

/// <summary>How a copy's digests compare with the registry's ingest digests.</summary>
public static class DigestComparison
{
    /// <summary>
    /// Intact when every algorithm computed now that has an ingest digest matches it; the sha256
    /// ingest digest must exist (a file without one cannot be checked, which is a registry error, not damage).
    /// </summary>
    public static string Condition(IReadOnlyDictionary<string, string> expected, CopyDigest? actual)
    {
        if (!expected.ContainsKey("sha256"))
            throw new MissingIngestDigestException("the registry holds no ingest sha256 for this file: nothing to compare the copy with");
        if (actual is null) return CopyConditions.Missing;
        var compared = actual.Digests.Where(d => expected.ContainsKey(d.Key)).ToList();
        return compared.All(d => string.Equals(d.Value, expected[d.Key], StringComparison.OrdinalIgnoreCase))
            ? CopyConditions.Intact : CopyConditions.Mismatch;
    }

    /// <summary>Both digests of each compared algorithm, for the PREMIS event detail.</summary>
    public static string Describe(IReadOnlyDictionary<string, string> expected, CopyDigest? actual) =>
        actual is null
            ? $"object missing; expected sha256 {expected.GetValueOrDefault("sha256")}"
            : string.Join("; ", actual.Digests.Where(d => expected.ContainsKey(d.Key))
                .Select(d => $"{d.Key} expected {expected[d.Key]} computed {d.Value}"));
}

/// <summary>Fatal: retrying cannot help.</summary>
public sealed class MissingIngestDigestException(string message) : Exception(message);

/// <summary>Fatal: the storage record does not exist (deleted registry row, or a bad id).</summary>
public sealed class CopyNotRegisteredException(long storageRecordId)
    : Exception($"storage record {storageRecordId} does not exist or is not active");

/// <summary>Transient: the copy just written does not verify (retried: the write or read may have been cut short).</summary>
public sealed class RepairNotVerifiedException(string message) : Exception(message);
