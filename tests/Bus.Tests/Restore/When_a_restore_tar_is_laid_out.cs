using System.Formats.Tar;
using System.Text;
using Bus.Restore.Steps;

namespace Bus.Tests.Restore;

/// <summary>The restore's tar layout, written byte by byte from the layout alone, reads back with .NET's TarReader.</summary>
public sealed class When_a_restore_tar_is_laid_out
{
    [Fact]
    public void Short_long_and_non_ascii_names_and_empty_files_read_back_exactly()
    {
        var names = new[]
        {
            "bag/bagit.txt",
            "bag/data/" + string.Join('/', Enumerable.Repeat("folder", 20)) + "/file.txt",
            "bag/data/" + new string('x', 180) + ".bin",
            "bag/data/café/naïve ☃.txt",
            "bag/data/empty.txt",
        };
        var contents = names.Select((n, i) => i == 4 ? [] : Encoding.UTF8.GetBytes($"content {i} of {n}\n{new string('.', i * 700)}")).ToList();
        var layout = TarLayout.Tar(names, contents.Select(c => (long)c.Length).ToList(), 1_700_000_000);

        var tar = new byte[layout.Total];
        foreach (var e in layout.Entries)
        {
            layout.Header(e.Index).CopyTo(tar, e.HeaderOffset);
            contents[e.Index].CopyTo(tar, e.DataOffset);
        }

        using var reader = new TarReader(new MemoryStream(tar));
        for (var i = 0; i < names.Length; i++)
        {
            var entry = reader.GetNextEntry();
            Assert.NotNull(entry);
            Assert.Equal(names[i], entry.Name);
            Assert.Equal(contents[i].Length, entry.Length);
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            Assert.Equal(contents[i], data.ToArray());
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), entry.ModificationTime);
        }
        Assert.Null(reader.GetNextEntry());
        Assert.Equal(0, layout.Total % 512);
    }

    [Fact]
    public void Every_offset_belongs_to_the_entry_that_holds_it_and_the_end_blocks_to_none()
    {
        var layout = TarLayout.Tar(["b/a", "b/c"], [10, 600], 0);

        Assert.Equal(0, layout.EntryAt(0)!.Index);
        Assert.Equal(0, layout.EntryAt(1023)!.Index);
        Assert.Equal(1, layout.EntryAt(1024)!.Index);
        Assert.Equal(1, layout.EntryAt(layout.Entries[1].End - 1)!.Index);
        Assert.Null(layout.EntryAt(layout.Entries[1].End));
        Assert.Equal(layout.Entries[1].End + 1024, layout.Total);
    }

    [Fact]
    public void A_plain_file_restore_is_the_bytes_alone()
    {
        var layout = TarLayout.Plain(12345);

        Assert.Equal(12345, layout.Total);
        Assert.Equal(0, layout.Entries[0].HeaderLength);
        Assert.Equal(0, layout.EntryAt(12344)!.Index);
    }

    [Fact]
    public void Parts_grow_so_a_huge_object_needs_at_most_nine_thousand()
    {
        const long MiB = 1024 * 1024;
        Assert.Equal(16 * MiB, RestoreWriter.PartBytesFor(1024 * MiB, 16 * MiB));
        var big = RestoreWriter.PartBytesFor(5L * 1024 * 1024 * MiB, 16 * MiB);
        Assert.True((5L * 1024 * 1024 * MiB + big - 1) / big <= RestoreWriter.MaxParts);
        Assert.Equal(0, big % MiB);
    }
}
