namespace Bus.Tests.BagIt;

public class When_a_payload_file_is_corrupt
{
    [Fact]
    public async Task Should_reject_it_once_per_manifest_that_lists_it()
    {
        var bag = new TestBag { Tamper = files => files["data/hello.txt"] = "hellO world\n"u8.ToArray() };
        var result = await bag.ValidateAsync();
        Assert.Equal(2, result.Errors.Count(e => e.Code == "checksum.mismatch" && e.Path == "data/hello.txt"));
    }
}

public class When_a_tag_file_is_corrupt
{
    [Fact]
    public async Task Should_reject_it_through_the_tag_manifest()
    {
        var bag = new TestBag { Tamper = files => files["bag-info.txt"] = [.. files["bag-info.txt"], .. "Contact-Name: someone\n"u8.ToArray()] };
        (await bag.ValidateAsync()).HasError("checksum.mismatch", "bag-info.txt");
    }
}

public class When_a_tag_manifest_lists_a_missing_tag_file
{
    [Fact]
    public async Task Should_reject_it()
    {
        var bag = new TestBag { Tamper = files => files.Remove("aptrust-info.txt") };
        (await bag.ValidateAsync()).HasError("tagmanifest.missing-file", "aptrust-info.txt");
    }
}

public class When_a_manifest_checksum_is_not_hex_of_the_right_length
{
    [Fact]
    public async Task Should_reject_it_as_malformed()
    {
        var bag = new TestBag();
        bag.Tamper = files => files["manifest-md5.txt"] = System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(files["manifest-md5.txt"]).Replace(TestBag.Hash("md5", bag.Payload["data/hello.txt"]), "zz12", StringComparison.Ordinal));
        (await bag.ValidateAsync()).HasError("manifest.malformed-checksum", "data/hello.txt");
    }
}

public class When_every_algorithm_is_used
{
    [Fact]
    public async Task Should_verify_md5_sha1_sha256_and_sha512_of_a_file_larger_than_a_chunk()
    {
        var bag = new TestBag();
        var large = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(large);
        bag.Payload["data/large.bin"] = large;
        bag.ManifestAlgorithms.AddRange(["sha1", "sha512"]);
        bag.TagManifestAlgorithms.Add("sha512");
        (await bag.ValidateAsync()).IsValidBag();
    }
}
