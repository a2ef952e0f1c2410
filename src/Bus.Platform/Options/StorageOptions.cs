namespace Bus.Platform.Options;

/// <summary>
/// S3-compatible object storage: the receiving and staging buckets, and the storage options
/// (<see cref="StorageOptionDefinition"/>) whose copies preserve each object.
/// </summary>
public sealed class StorageOptions : IBusOptions
{
    public const string Section = "Bus:Storage";
    public string SectionName => Section;

    /// <summary>The one endpoint alias: every copy target is served by <see cref="ServiceUrl"/> (no cross-endpoint copying).</summary>
    public const string DefaultTarget = "default";

    /// <summary>An option has at most this many copies: ingest's interim rows keep two copy slots.</summary>
    public const int MaxCopies = 2;

    public string ServiceUrl { get; set; } = "http://127.0.0.1:9000";
    public string Region { get; set; } = "us-east-1";
    public string AccessKey { get; set; } = "bus";
    public string SecretKey { get; set; } = "bus-secret";
    public bool ForcePathStyle { get; set; } = true;
    public string ReceivingBucket { get; set; } = "bus-receiving";
    public string StagingBucket { get; set; } = "bus-staging";
    public int TimeoutSeconds { get; set; } = 100;

    /// <summary>
    /// The storage options by name. Empty: <see cref="DefaultOptions"/>. Configuring any option replaces the
    /// whole set (configuration binding would otherwise append configured copies to the defaults' lists).
    /// </summary>
    public Dictionary<string, StorageOptionDefinition> Options { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Replaced by <see cref="Options"/>: still set means an old configuration that would now be ignored.</summary>
    public string? PrimaryBucket { get; set; }
    /// <summary>Replaced by <see cref="Options"/> (see <see cref="PrimaryBucket"/>).</summary>
    public string? ReplicaBucket { get; set; }

    /// <summary>APTrust's set: Standard (hot copy in va, Glacier copy in or), Glacier-*, Glacier-Deep-* (one cold copy), Wasabi-* (one hot copy).</summary>
    public static IReadOnlyDictionary<string, StorageOptionDefinition> DefaultOptions { get; } = BuildDefaults();

    /// <summary>The options in effect (configured, or the defaults).</summary>
    public IReadOnlyDictionary<string, StorageOptionDefinition> EffectiveOptions =>
        Options.Count == 0 ? DefaultOptions : Options;

    /// <summary>The option's copies in slot order, or null for an unknown option.</summary>
    public IReadOnlyList<StorageCopyTarget>? CopiesOf(string option) =>
        EffectiveOptions.TryGetValue(option, out var o) ? o.Copies : null;

    /// <summary>Every bucket Bus works with, by role (receiving, staging, and each preservation bucket once).</summary>
    public IReadOnlyList<(string Role, string Bucket)> Buckets =>
        [("receiving", ReceivingBucket), ("staging", StagingBucket),
         .. EffectiveOptions.Values.SelectMany(o => o.Copies).Select(c => c.Bucket).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
             .Select(b => ($"preservation:{b}", b))];

    public IEnumerable<OptionError> Validate()
    {
        if (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            yield return new(nameof(ServiceUrl), $"must be an absolute http(s) URL (got '{ServiceUrl}')");
        if (string.IsNullOrWhiteSpace(Region)) yield return new(nameof(Region), "must not be empty");
        if (string.IsNullOrWhiteSpace(AccessKey)) yield return new(nameof(AccessKey), "must not be empty");
        if (string.IsNullOrWhiteSpace(SecretKey)) yield return new(nameof(SecretKey), "must not be empty");
        foreach (var (name, bucket) in new[] { (nameof(ReceivingBucket), ReceivingBucket), (nameof(StagingBucket), StagingBucket) })
            if (!IsValidBucketName(bucket)) yield return new(name, $"'{bucket}' is not a valid S3 bucket name (3-63 of a-z, 0-9, '.', '-')");
        foreach (var (name, value) in new[] { (nameof(PrimaryBucket), PrimaryBucket), (nameof(ReplicaBucket), ReplicaBucket) })
            if (value is not null)
                yield return new(name, $"is no longer read: preservation buckets are the copies of each storage option ({Section}:Options:<name>:Copies, docs/ingest.md)");
        if (TimeoutSeconds is < 1 or > 3600) yield return new(nameof(TimeoutSeconds), $"must be 1-3600 (got {TimeoutSeconds})");
        foreach (var error in ValidateOptions(EffectiveOptions, [ReceivingBucket, StagingBucket]))
            yield return error;
    }

    private static IEnumerable<OptionError> ValidateOptions(IReadOnlyDictionary<string, StorageOptionDefinition> options, string[] workBuckets)
    {
        foreach (var (name, option) in options)
        {
            var key = $"{nameof(Options)}:{name}";
            if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                yield return new(key, "option names are 1-64 letters, digits, '-', '_' or '.'");
            if (option.Copies.Count is < 1 or > MaxCopies)
                yield return new($"{key}:Copies", $"must list 1 to {MaxCopies} copies (got {option.Copies.Count})");
            for (var i = 0; i < option.Copies.Count; i++)
            {
                var c = option.Copies[i];
                var ck = $"{key}:Copies:{i}";
                if (string.IsNullOrWhiteSpace(c.Name) || c.Name.Length > 32 || !c.Name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
                    yield return new($"{ck}:Name", $"must be 1-32 letters, digits, '-' or '_' (got '{c.Name}')");
                if (c.Target != DefaultTarget)
                    yield return new($"{ck}:Target", $"must be '{DefaultTarget}' (the one endpoint, {nameof(ServiceUrl)}): copies are server-side copies from staging, so every target is on the same endpoint (got '{c.Target}')");
                if (!IsValidBucketName(c.Bucket))
                    yield return new($"{ck}:Bucket", $"'{c.Bucket}' is not a valid S3 bucket name (3-63 of a-z, 0-9, '.', '-')");
                else if (workBuckets.Contains(c.Bucket, StringComparer.Ordinal))
                    yield return new($"{ck}:Bucket", $"'{c.Bucket}' is the receiving or staging bucket: preservation copies need buckets of their own");
                if (string.IsNullOrWhiteSpace(c.Region)) yield return new($"{ck}:Region", "must not be empty (a label such as va, or, oh)");
                if (!StorageClasses.IsKnown(c.StorageClass))
                    yield return new($"{ck}:StorageClass", $"'{c.StorageClass}' is not one of {string.Join(", ", StorageClasses.Known)}");
                else if (c.Tier is not ("" or StorageTiers.Hot or StorageTiers.Cold))
                    yield return new($"{ck}:Tier", $"must be '{StorageTiers.Hot}' or '{StorageTiers.Cold}' (got '{c.Tier}')");
                else if (c.EffectiveTier != StorageClasses.TierOf(c.StorageClass))
                    yield return new($"{ck}:Tier", $"'{c.EffectiveTier}' contradicts storage class {c.StorageClass}, which is {StorageClasses.TierOf(c.StorageClass)}");
            }
            foreach (var dup in option.Copies.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
                yield return new($"{key}:Copies", $"names copy '{dup.Key}' more than once");
            foreach (var dup in option.Copies.GroupBy(c => c.Bucket, StringComparer.Ordinal).Where(g => g.Count() > 1))
                yield return new($"{key}:Copies", $"puts two copies in bucket '{dup.Key}': each copy of a file needs a bucket of its own");
        }
        if (options.Count == 0) yield return new(nameof(Options), "must define at least one storage option");
    }

    public IEnumerable<(string Key, string? Value)> Secrets() => [(nameof(SecretKey), SecretKey)];

    public IEnumerable<string> Endpoints() => Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var u) ? [u.Host] : [];

    private static bool IsValidBucketName(string? name) =>
        name is { Length: >= 3 and <= 63 } && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);

    private static Dictionary<string, StorageOptionDefinition> BuildDefaults()
    {
        static StorageCopyTarget Copy(string name, string bucket, string region, string storageClass) =>
            new() { Name = name, Bucket = bucket, Region = region, StorageClass = storageClass };
        static StorageOptionDefinition Option(params StorageCopyTarget[] copies) => new() { Copies = [.. copies] };
        var options = new Dictionary<string, StorageOptionDefinition>(StringComparer.Ordinal)
        {
            ["Standard"] = Option(Copy("hot", "bus-preservation-va", "va", StorageClasses.Standard),
                                  Copy("cold", "bus-preservation-or", "or", StorageClasses.Glacier)),
        };
        foreach (var region in new[] { "oh", "or", "va" })
        {
            options[$"Glacier-{region.ToUpperInvariant()}"] = Option(Copy("cold", $"bus-preservation-{region}", region, StorageClasses.Glacier));
            options[$"Glacier-Deep-{region.ToUpperInvariant()}"] = Option(Copy("cold", $"bus-preservation-{region}", region, StorageClasses.DeepArchive));
        }
        foreach (var region in new[] { "or", "va", "tx" })
            options[$"Wasabi-{region.ToUpperInvariant()}"] = Option(Copy("hot", $"bus-wasabi-{region}", region, StorageClasses.Standard));
        return options;
    }
}
