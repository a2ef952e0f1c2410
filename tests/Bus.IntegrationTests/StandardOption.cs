using Bus.Platform.Options;

namespace Bus.IntegrationTests;

/// <summary>
/// The default Standard storage option, which the test bags ask for: a hot STANDARD copy (first slot) and a cold
/// GLACIER copy in another region (second slot). Cold copies refuse GET until a restore: tests check them by HEAD.
/// </summary>
public static class StandardOption
{
    public const string Name = "Standard";

    public static StorageCopyTarget HotCopy(this StorageOptions storage) => storage.CopiesOf(Name)![0];
    public static StorageCopyTarget ColdCopy(this StorageOptions storage) => storage.CopiesOf(Name)![1];
    public static string StandardHotBucket(this StorageOptions storage) => storage.HotCopy().Bucket;
    public static string StandardColdBucket(this StorageOptions storage) => storage.ColdCopy().Bucket;

    /// <summary>
    /// Host configuration (environment variables) that defines only a Standard option whose cold copy goes to
    /// <paramref name="coldBucket"/>: configuring options replaces the default set, so the option is given whole.
    /// </summary>
    public static Dictionary<string, string> WithColdBucket(string coldBucket)
    {
        var hot = new StorageOptions().HotCopy();
        var cold = new StorageOptions().ColdCopy();
        var config = new Dictionary<string, string>();
        void Copy(int i, StorageCopyTarget c, string bucket)
        {
            config[$"Bus__Storage__Options__{Name}__Copies__{i}__Name"] = c.Name;
            config[$"Bus__Storage__Options__{Name}__Copies__{i}__Bucket"] = bucket;
            config[$"Bus__Storage__Options__{Name}__Copies__{i}__Region"] = c.Region;
            config[$"Bus__Storage__Options__{Name}__Copies__{i}__StorageClass"] = c.StorageClass;
        }
        Copy(0, hot, hot.Bucket);
        Copy(1, cold, coldBucket);
        return config;
    }
}
