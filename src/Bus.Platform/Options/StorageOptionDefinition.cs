namespace Bus.Platform.Options;

/// <summary>
/// One storage option (<c>Bus:Storage:Options:&lt;name&gt;</c>): the copies every file of an object
/// stored under it keeps. An object keeps the option it was first ingested with.
/// </summary>
public sealed class StorageOptionDefinition
{
    /// <summary>One or two copies (the interim tables hold two copy slots: the first copy, then the second).</summary>
    public List<StorageCopyTarget> Copies { get; set; } = [];
}

/// <summary>Where one copy of an option lives and how it is stored.</summary>
public sealed class StorageCopyTarget
{
    /// <summary>The copy's name inside its option (e.g. <c>hot</c>, <c>cold</c>): unique per option, kept on the storage record.</summary>
    public string Name { get; set; } = "";
    /// <summary>Endpoint alias. Only <see cref="StorageOptions.DefaultTarget"/> (the one <c>ServiceUrl</c>) exists: copies are server-side copies from staging.</summary>
    public string Target { get; set; } = StorageOptions.DefaultTarget;
    public string Bucket { get; set; } = "";
    /// <summary>A label for where the copy is (va, or, oh, tx): kept on the storage record, not sent to S3.</summary>
    public string Region { get; set; } = "";
    /// <summary>The S3 storage class the copy is written with (<see cref="StorageClasses"/>).</summary>
    public string StorageClass { get; set; } = StorageClasses.Standard;
    /// <summary><c>hot</c> (readable at once) or <c>cold</c> (needs a restore request first); empty: the class's usual tier.</summary>
    public string Tier { get; set; } = "";

    /// <summary>The tier in effect: the configured one, else the storage class's.</summary>
    public string EffectiveTier => string.IsNullOrEmpty(Tier) ? StorageClasses.TierOf(StorageClass) : Tier;
    public bool IsCold => EffectiveTier == StorageTiers.Cold;
}

public static class StorageTiers
{
    public const string Hot = "hot";
    public const string Cold = "cold";
}

/// <summary>The S3 storage classes Bus writes copies with, and which of them need a restore before a read.</summary>
public static class StorageClasses
{
    public const string Standard = "STANDARD";
    public const string Glacier = "GLACIER";
    public const string DeepArchive = "DEEP_ARCHIVE";

    private static readonly Dictionary<string, string> Tiers = new(StringComparer.Ordinal)
    {
        [Standard] = StorageTiers.Hot, ["STANDARD_IA"] = StorageTiers.Hot, ["ONEZONE_IA"] = StorageTiers.Hot,
        ["INTELLIGENT_TIERING"] = StorageTiers.Hot, ["GLACIER_IR"] = StorageTiers.Hot,
        [Glacier] = StorageTiers.Cold, [DeepArchive] = StorageTiers.Cold,
    };

    public static IReadOnlyCollection<string> Known => Tiers.Keys;
    public static bool IsKnown(string storageClass) => Tiers.ContainsKey(storageClass);
    public static string TierOf(string storageClass) => Tiers.GetValueOrDefault(storageClass, StorageTiers.Hot);
}
