using Bus.Platform.Options;
using Microsoft.Extensions.Configuration;

namespace Bus.Tests.Platform;

public class When_storage_options_are_configured
{
    private static List<string> Check(StorageOptions options) => BusOptionsValidator<StorageOptions>.Check(options, "Development").ToList();

    private static StorageOptions With(params StorageCopyTarget[] copies)
    {
        var storage = new StorageOptions();
        storage.Options["Test"] = new StorageOptionDefinition { Copies = [.. copies] };
        return storage;
    }

    private static StorageCopyTarget Copy(string name = "hot", string bucket = "bus-preservation-va", string storageClass = "STANDARD") =>
        new() { Name = name, Bucket = bucket, Region = "va", StorageClass = storageClass };

    [Fact]
    public void The_defaults_are_aptrusts_set_one_bucket_per_region_and_provider()
    {
        var defaults = new StorageOptions();
        Assert.Empty(Check(defaults));
        Assert.Equal(["Glacier-Deep-OH", "Glacier-Deep-OR", "Glacier-Deep-VA", "Glacier-OH", "Glacier-OR", "Glacier-VA", "Standard", "Wasabi-OR", "Wasabi-TX", "Wasabi-VA"],
            defaults.EffectiveOptions.Keys.Order(StringComparer.Ordinal));
        var standard = defaults.CopiesOf("Standard")!;
        Assert.Equal([("hot", "bus-preservation-va", "STANDARD", "hot"), ("cold", "bus-preservation-or", "GLACIER", "cold")],
            standard.Select(c => (c.Name, c.Bucket, c.StorageClass, c.EffectiveTier)));
        Assert.Equal(("bus-preservation-oh", "DEEP_ARCHIVE", true), defaults.CopiesOf("Glacier-Deep-OH")!.Select(c => (c.Bucket, c.StorageClass, c.IsCold)).Single());
        Assert.Equal(("bus-preservation-or", "GLACIER", true), defaults.CopiesOf("Glacier-OR")!.Select(c => (c.Bucket, c.StorageClass, c.IsCold)).Single());
        Assert.Equal(("bus-wasabi-tx", "STANDARD", false), defaults.CopiesOf("Wasabi-TX")!.Select(c => (c.Bucket, c.StorageClass, c.IsCold)).Single());
        Assert.Equal(["bus-receiving", "bus-staging", "bus-preservation-oh", "bus-preservation-or", "bus-preservation-va", "bus-wasabi-or", "bus-wasabi-tx", "bus-wasabi-va"],
            defaults.Buckets.Select(b => b.Bucket));
    }

    [Fact]
    public void A_configured_option_set_replaces_the_defaults_rather_than_adding_copies_to_them()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:Storage:Options:Standard:Copies:0:Name"] = "only",
            ["Bus:Storage:Options:Standard:Copies:0:Bucket"] = "bus-local",
            ["Bus:Storage:Options:Standard:Copies:0:Region"] = "here",
        }).Build();
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>()!;
        Assert.Empty(Check(storage));
        Assert.Equal(["Standard"], storage.EffectiveOptions.Keys);
        Assert.Equal(("only", "bus-local", "STANDARD", "hot"), storage.CopiesOf("Standard")!.Select(c => (c.Name, c.Bucket, c.StorageClass, c.EffectiveTier)).Single());
    }

    [Fact]
    public void Each_bad_copy_setting_is_named_by_its_full_key()
    {
        Assert.Equal(["Bus:Storage:Options:Test:Copies must list 1 to 2 copies (got 0)"], Check(With()));
        Assert.Equal(["Bus:Storage:Options:Test:Copies must list 1 to 2 copies (got 3)"],
            Check(With(Copy("a", "bus-a"), Copy("b", "bus-b"), Copy("c", "bus-c"))));
        Assert.Equal(["Bus:Storage:Options:Test:Copies names copy 'hot' more than once"], Check(With(Copy(bucket: "bus-a"), Copy(bucket: "bus-b"))));
        Assert.StartsWith("Bus:Storage:Options:Test:Copies:0:Bucket 'Bad_Bucket' is not a valid S3 bucket name", Assert.Single(Check(With(Copy(bucket: "Bad_Bucket")))));
        Assert.StartsWith("Bus:Storage:Options:Test:Copies:0:Bucket 'bus-staging' is the receiving or staging bucket", Assert.Single(Check(With(Copy(bucket: "bus-staging")))));
        Assert.StartsWith("Bus:Storage:Options:Test:Copies:0:StorageClass 'COLD' is not one of STANDARD", Assert.Single(Check(With(Copy(storageClass: "COLD")))));
        Assert.Equal(["Bus:Storage:Options:Test:Copies:0:Tier 'hot' contradicts storage class DEEP_ARCHIVE, which is cold"],
            Check(With(new StorageCopyTarget { Name = "x", Bucket = "bus-x", Region = "va", StorageClass = "DEEP_ARCHIVE", Tier = "hot" })));
        Assert.StartsWith("Bus:Storage:Options:Test:Copies:0:Target must be 'default'",
            Assert.Single(Check(With(new StorageCopyTarget { Name = "x", Bucket = "bus-x", Region = "va", Target = "wasabi" }))));
        Assert.Equal(["Bus:Storage:Options:Test:Copies:0:Region must not be empty (a label such as va, or, oh)"],
            Check(With(new StorageCopyTarget { Name = "x", Bucket = "bus-x" })));
    }

    [Fact]
    public void The_old_primary_and_replica_bucket_settings_are_refused_rather_than_ignored()
    {
        var errors = Check(new StorageOptions { PrimaryBucket = "bus-preservation-primary", ReplicaBucket = "bus-preservation-replica" });
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("is no longer read: preservation buckets are the copies of each storage option", e, StringComparison.Ordinal));
    }
}
