using System.Formats.Tar;
using Bus.BagIt.Profiles;

namespace Bus.Tests.BagIt;

public class When_a_tar_entry_climbs_out_with_dot_dot
{
    [Fact]
    public async Task Should_reject_it_and_not_record_the_file()
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, "test-bag/data/../../evil.txt") { DataStream = new MemoryStream([1]) };
        var inventory = await new TestBag().ScanTarAsync(extraEntries: [entry]);
        Assert.Contains(inventory.Findings, f => f.Code == "path.traversal");
        Assert.DoesNotContain(inventory.Files, f => f.Path.Contains("evil", StringComparison.Ordinal));
    }
}

public class When_a_tar_entry_has_an_absolute_path
{
    [Fact]
    public async Task Should_reject_it()
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, "/etc/evil") { DataStream = new MemoryStream([1]) };
        (await new TestBag().ValidateAsync(extraEntries: [entry])).HasError("path.absolute");
    }
}

public class When_a_manifest_lists_an_absolute_or_escaping_path
{
    [Theory]
    [InlineData("/etc/passwd", "path.absolute")]
    [InlineData("~root/foo", "path.absolute")]
    [InlineData("data/../../x", "path.traversal")]
    public async Task Should_reject_it(string path, string code)
    {
        var bag = new TestBag();
        bag.Tamper = files => files["manifest-md5.txt"] = [.. files["manifest-md5.txt"], .. System.Text.Encoding.UTF8.GetBytes($"{new string('0', 32)}  {path}\n")];
        (await bag.ValidateAsync()).HasError(code, path);
    }
}

public class When_a_bag_holds_links_or_devices
{
    [Theory]
    [InlineData(TarEntryType.SymbolicLink, "entry.link")]
    [InlineData(TarEntryType.HardLink, "entry.link")]
    [InlineData(TarEntryType.CharacterDevice, "entry.device")]
    [InlineData(TarEntryType.Fifo, "entry.device")]
    public async Task Should_reject_them(TarEntryType type, string code)
    {
        var entry = new PaxTarEntry(type, "test-bag/data/special");
        if (type is TarEntryType.SymbolicLink or TarEntryType.HardLink) entry.LinkName = "/etc/passwd";
        (await new TestBag().ValidateAsync(extraEntries: [entry])).HasError(code, "data/special");
    }
}

public class When_a_tar_repeats_an_entry
{
    [Fact]
    public async Task Should_reject_it()
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, "test-bag/data/hello.txt") { DataStream = new MemoryStream("other"u8.ToArray()) };
        (await new TestBag().ValidateAsync(extraEntries: [entry])).HasError("entry.duplicate", "data/hello.txt");
    }
}

public class When_a_tar_has_two_top_level_folders
{
    [Fact]
    public async Task Should_reject_it()
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, "other-bag/data/x.txt") { DataStream = new MemoryStream([1]) };
        (await new TestBag().ValidateAsync(extraEntries: [entry])).HasError("tar.multiple-top-level", "other-bag");
    }

    [Fact]
    public async Task Should_reject_a_file_at_the_tar_root()
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, "loose.txt") { DataStream = new MemoryStream([1]) };
        (await new TestBag().ValidateAsync(extraEntries: [entry])).HasError("tar.entry-outside-bag-folder");
    }
}

public class When_the_tar_folder_is_not_named_like_the_bag
{
    [Fact]
    public async Task Should_reject_it_under_aptrust_only()
    {
        var bag = new TestBag();
        var inventory = await bag.ScanTarAsync(expectedName: "another-name");
        Bus.BagIt.Validation.BagValidator.Validate(inventory, Bus.BagIt.Profiles.BagProfiles.Aptrust).HasError("tar.name-mismatch", "test-bag");
        Bus.BagIt.Validation.BagValidator.Validate(inventory, Bus.BagIt.Profiles.BagProfiles.BagIt).IsValidBag();
    }
}

/// <summary>
/// Names that extract to one file somewhere (macOS folds case and Unicode normalisation, Windows
/// case) and a file beside a folder of its own name: rejected under aptrust and btr, warned under bagit.
/// </summary>
public class When_paths_collide
{
    public static TheoryData<string, string, string, string> Collisions => new()
    {
        { "aptrust", "data/x", "data/x/y", "path.file-folder-collision" },
        { "btr", "data/x", "data/x/y", "path.file-folder-collision" },
        { "bagit", "data/x", "data/x/y", "path.file-folder-collision" },
        { "aptrust", "data/Caf\u00e9", "data/Cafe\u0301", "path.normalization-collision" },
        { "btr", "data/Caf\u00e9", "data/Cafe\u0301", "path.normalization-collision" },
        { "bagit", "data/Caf\u00e9", "data/Cafe\u0301", "path.normalization-collision" },
        { "aptrust", "data/A.txt", "data/a.txt", "path.case-collision" },
        { "btr", "data/A.txt", "data/a.txt", "path.case-collision" },
        { "bagit", "data/A.txt", "data/a.txt", "path.case-collision" },
        // Both at once (NFD upper case beside NFC lower case), and a file beside a folder differing in case.
        { "aptrust", "data/CAFE\u0301", "data/caf\u00e9", "path.case-collision" },
        { "aptrust", "data/X", "data/x/y", "path.file-folder-collision" },
    };

    [Theory]
    [MemberData(nameof(Collisions))]
    public async Task Should_reject_under_aptrust_and_btr_and_warn_under_bagit(string profile, string first, string second, string code)
    {
        var bag = new TestBag();
        bag.Payload[first] = [1];
        bag.Payload[second] = [2];
        var result = await bag.ValidateAsync(BagProfiles.Find(profile));
        if (profile == BagProfiles.BagItName)
        {
            result.IsValidBag();
            result.HasWarning(code);
        }
        else
        {
            result.HasError(code);
        }
    }

    [Fact]
    public async Task Should_accept_names_that_only_look_alike_in_part()
    {
        var bag = new TestBag();
        bag.Payload["data/x.txt"] = [1];
        bag.Payload["data/x/y"] = [2];
        bag.Payload["data/Caf\u00e9/one"] = [3];
        bag.Payload["data/Caf\u00e9s"] = [4];
        var result = await bag.ValidateAsync(BagProfiles.Aptrust);
        result.IsValidBag();
        Assert.DoesNotContain(result.Warnings, w => w.Code.StartsWith("path.", StringComparison.Ordinal));
    }
}

public class When_a_file_name_looks_percent_encoded
{
    [Fact]
    public async Task Should_match_it_literally()
    {
        var bag = new TestBag();
        bag.Payload["data/%7Etest1.txt"] = [7];
        bag.TagManifestAlgorithms.Clear();
        // manifest-md5 escapes the literal '%' as %25; manifest-sha256 writes it raw, which must not be URL-decoded to '~'.
        bag.Tamper = files => files["manifest-md5.txt"] = System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(files["manifest-md5.txt"]).Replace("data/%7Etest1.txt", "data/%257Etest1.txt", StringComparison.Ordinal));
        (await bag.ValidateAsync()).IsValidBag();
    }
}
