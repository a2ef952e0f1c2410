using System.Text;
using Bus.BagIt.Parsing;

namespace Bus.Tests.BagIt;

public class When_bagit_txt_is_parsed
{
    private static BagItDeclaration Parse(string text) => BagItDeclaration.Parse(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Should_read_version_and_encoding_with_crlf() =>
        Assert.Equal(("1.0", "UTF-8"), (Parse("BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n") is var d ? (d.Version, d.Encoding) : default));

    [Fact]
    public void Should_reject_a_byte_order_mark() =>
        Assert.Contains(BagItDeclaration.Parse([0xEF, 0xBB, 0xBF, .. "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"u8]).Errors, e => e.Code == "bagit.byte-order-mark");

    [Fact]
    public void Should_reject_a_third_line() =>
        Assert.Contains(Parse("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: x\n").Errors, e => e.Code == "bagit.line-count");

    [Fact]
    public void Should_reject_whitespace_before_the_colon_in_1_0_and_only_warn_in_0_97()
    {
        Assert.Contains(Parse("BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n").Errors, e => e.Code == "bagit.whitespace-before-colon");
        var old = Parse("BagIt-Version : 0.97\nTag-File-Character-Encoding: UTF-8\n");
        Assert.Empty(old.Errors);
        Assert.Contains(old.Warnings, w => w.Code == "bagit.whitespace-before-colon");
    }

    [Fact]
    public void Should_reject_an_unknown_version() =>
        Assert.Contains(Parse("BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n").Errors, e => e.Code == "bagit.version-unsupported");

    [Fact]
    public void Should_reject_lines_in_the_wrong_order() =>
        Assert.Contains(Parse("Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\n").Errors, e => e.Code == "bagit.malformed-line");
}

public class When_a_manifest_is_parsed
{
    private static Manifest Parse(string text) => ManifestParser.Parse(Encoding.UTF8.GetBytes(text), "manifest-md5.txt");

    [Fact]
    public void Should_decode_only_cr_lf_and_percent()
    {
        var lines = Parse("aa  data/%7Etest1.txt\r\nbb  data/a%0Ab%0dc%25d\n").Lines;
        Assert.Equal(["data/%7Etest1.txt", "data/a\nb\rc%d"], lines.Select(l => l.Path));
    }

    [Fact]
    public void Should_accept_tabs_and_spaces_inside_the_path()
    {
        var line = Assert.Single(Parse("aa\tdata/my file.txt\n").Lines);
        Assert.Equal(("aa", "data/my file.txt"), (line.Checksum, line.Path));
    }

    [Theory]
    [InlineData("aa *data/x")]
    [InlineData("aa  ./data/x")]
    public void Should_tolerate_md5sum_and_dot_slash_paths_with_a_warning(string text)
    {
        var manifest = Parse(text + "\n");
        Assert.Equal("data/x", Assert.Single(manifest.Lines).Path);
        Assert.Contains(manifest.Warnings, w => w.Code == "manifest.legacy-path-syntax");
    }

    [Fact]
    public void Should_report_a_line_without_a_path()
    {
        var manifest = Parse("d41d8cd98f00b204e9800998ecf8427e\n");
        Assert.Contains(manifest.Errors, e => e.Code == "manifest.malformed-line");
    }

    [Fact]
    public void Should_report_bytes_that_are_not_utf8()
    {
        var manifest = ManifestParser.Parse([.. "aa  data/ok\nbb  data/"u8, 0xFF, (byte)'\n'], "manifest-md5.txt");
        Assert.Equal("data/ok", Assert.Single(manifest.Lines).Path);
        Assert.Contains(manifest.Errors, e => e.Code == "manifest.invalid-utf8");
    }

    [Fact]
    public void Should_recognise_manifest_names()
    {
        Assert.True(ManifestParser.IsManifestName("tagmanifest-sha512.txt", out var algorithm, out var isTag));
        Assert.Equal(("sha512", true), (algorithm, isTag));
        Assert.False(ManifestParser.IsManifestName("manifest.txt", out _, out _));
    }
}

public class When_bag_info_is_parsed
{
    [Fact]
    public void Should_join_continuation_lines()
    {
        var tags = TagFileParser.Parse("External-Description: Uncompressed images from the\r\n    Yoshimuri papers.\r\nBagging-Date: 2008-01-15\r\n"u8.ToArray(), "bag-info.txt", strictColon: true);
        Assert.Equal("Uncompressed images from the Yoshimuri papers.", tags.First("external-description"));
        Assert.Equal("2008-01-15", tags.First("Bagging-Date"));
        Assert.Empty(tags.Errors);
    }

    [Fact]
    public void Should_report_a_line_without_a_label() =>
        Assert.Contains(TagFileParser.Parse("just text\n"u8.ToArray(), "bag-info.txt", strictColon: false).Errors, e => e.Code == "tag.malformed-line");

    [Fact]
    public void Should_decode_utf16_by_its_byte_order_mark()
    {
        var bytes = Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes("Title: Ünïcode\n")).ToArray();
        var tags = TagFileParser.Parse(bytes, "bag-info.txt", strictColon: false, TextLinesAccess.Resolve("UTF-16"));
        Assert.Equal("Ünïcode", tags.First("Title"));
    }
}

internal static class TextLinesAccess
{
    // TextLines is internal; its public face is the declared encoding name resolved the same way.
    public static Encoding? Resolve(string name) => Encoding.GetEncoding(name);
}
