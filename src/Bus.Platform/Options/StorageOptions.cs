namespace Bus.Platform.Options;

/// <summary>S3-compatible object storage and the four buckets Bus works with.</summary>
public sealed class StorageOptions : IBusOptions
{
    public const string Section = "Bus:Storage";
    public string SectionName => Section;

    public string ServiceUrl { get; set; } = "http://127.0.0.1:9000";
    public string Region { get; set; } = "us-east-1";
    public string AccessKey { get; set; } = "bus";
    public string SecretKey { get; set; } = "bus-secret";
    public bool ForcePathStyle { get; set; } = true;
    public string ReceivingBucket { get; set; } = "bus-receiving";
    public string StagingBucket { get; set; } = "bus-staging";
    public string PrimaryBucket { get; set; } = "bus-preservation-primary";
    public string ReplicaBucket { get; set; } = "bus-preservation-replica";
    public int TimeoutSeconds { get; set; } = 100;

    public IReadOnlyList<(string Role, string Bucket)> Buckets =>
        [("receiving", ReceivingBucket), ("staging", StagingBucket), ("primary", PrimaryBucket), ("replica", ReplicaBucket)];

    public IEnumerable<OptionError> Validate()
    {
        if (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            yield return new(nameof(ServiceUrl), $"must be an absolute http(s) URL (got '{ServiceUrl}')");
        if (string.IsNullOrWhiteSpace(Region)) yield return new(nameof(Region), "must not be empty");
        if (string.IsNullOrWhiteSpace(AccessKey)) yield return new(nameof(AccessKey), "must not be empty");
        if (string.IsNullOrWhiteSpace(SecretKey)) yield return new(nameof(SecretKey), "must not be empty");
        foreach (var (name, bucket) in new[] { (nameof(ReceivingBucket), ReceivingBucket), (nameof(StagingBucket), StagingBucket), (nameof(PrimaryBucket), PrimaryBucket), (nameof(ReplicaBucket), ReplicaBucket) })
            if (!IsValidBucketName(bucket)) yield return new(name, $"'{bucket}' is not a valid S3 bucket name (3-63 of a-z, 0-9, '.', '-')");
        if (PrimaryBucket == ReplicaBucket) yield return new(nameof(ReplicaBucket), "must differ from PrimaryBucket: two copies need two buckets");
        if (TimeoutSeconds is < 1 or > 3600) yield return new(nameof(TimeoutSeconds), $"must be 1-3600 (got {TimeoutSeconds})");
    }

    public IEnumerable<(string Key, string? Value)> Secrets() => [(nameof(SecretKey), SecretKey)];

    public IEnumerable<string> Endpoints() => Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var u) ? [u.Host] : [];

    private static bool IsValidBucketName(string? name) =>
        name is { Length: >= 3 and <= 63 } && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
}
