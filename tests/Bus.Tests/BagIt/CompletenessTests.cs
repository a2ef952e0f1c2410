namespace Bus.Tests.BagIt;

public class When_a_bag_has_an_extra_file
{
    [Fact]
    public async Task Should_reject_it_as_unlisted()
    {
        var bag = new TestBag();
        bag.Extra["data/stray.txt"] = "stray"u8.ToArray();
        (await bag.ValidateAsync()).HasError("payload.unlisted-file", "data/stray.txt");
    }
}

public class When_a_manifest_lists_a_missing_file
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag { Tamper = files => files.Remove("data/hello.txt") };
        (await bag.ValidateAsync()).HasError("manifest.missing-file", "data/hello.txt");
    }
}

public class When_one_v1_manifest_omits_a_file
{
    [Fact]
    public async Task Should_reject_it_even_though_another_manifest_lists_it()
    {
        var bag = new TestBag();
        bag.Tamper = files => files["manifest-sha256.txt"] = TestBag.Manifest("sha256", bag.Payload.Where(p => p.Key != "data/hello.txt"));
        (await bag.ValidateAsync()).HasError("payload.unlisted-file", "data/hello.txt");
    }

    [Fact]
    public async Task Should_accept_it_in_a_v097_bag_when_another_manifest_lists_it()
    {
        var bag = new TestBag { Version = "0.97" };
        bag.Tamper = files => files["manifest-sha256.txt"] = TestBag.Manifest("sha256", bag.Payload.Where(p => p.Key != "data/hello.txt"));
        var result = await bag.ValidateAsync();
        Assert.DoesNotContain(result.Errors, e => e.Code == "payload.unlisted-file");
    }
}

public class When_a_manifest_lists_a_path_twice
{
    [Fact]
    public async Task Should_reject_a_v1_bag_even_with_the_same_checksum()
    {
        var bag = new TestBag();
        bag.Tamper = files => files["manifest-md5.txt"] = [.. files["manifest-md5.txt"], .. TestBag.Manifest("md5", bag.Payload.Take(1))];
        (await bag.ValidateAsync()).HasError("manifest.duplicate-path", "data/hello.txt");
    }
}

public class When_a_payload_manifest_lists_a_path_outside_data
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag();
        bag.Tamper = files => files["manifest-md5.txt"] = [.. files["manifest-md5.txt"], .. TestBag.Manifest("md5", [new("bagit.txt", files["bagit.txt"])])];
        (await bag.ValidateAsync()).HasError("manifest.path-outside-data", "bagit.txt");
    }
}

public class When_a_bag_has_no_payload_manifest
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag();
        bag.ManifestAlgorithms.Clear();
        (await bag.ValidateAsync()).HasError("manifest.none");
    }
}

public class When_a_bag_has_no_data_directory
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag { WritePayloadOxum = false };
        bag.Payload.Clear();
        (await bag.ValidateAsync()).HasError("payload.missing-data-directory");
    }
}

public class When_a_bag_has_no_bagit_txt
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag { Tamper = files => files.Remove("bagit.txt") };
        (await bag.ValidateAsync()).HasError("bagit.missing");
    }
}

public class When_fetch_txt_names_a_path_outside_the_bag
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag();
        bag.Extra["fetch.txt"] = "http://example.org/x - ../../etc/passwd\n"u8.ToArray();
        var result = await bag.ValidateAsync();
        result.HasError("path.traversal");
        result.HasWarning("fetch.present");
    }
}
