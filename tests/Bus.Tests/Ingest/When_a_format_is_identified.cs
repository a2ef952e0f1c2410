using System.Text;
using Bus.Ingest.Steps;
using Bus.Ingest.Data;

namespace Bus.Tests.Ingest;

public sealed class When_a_format_is_identified
{
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    [Fact]
    public void Libmagic_names_it_from_the_bytes_whatever_the_extension()
    {
        using var magic = new LibMagic();
        Assert.True(magic.Available, "libmagic.so.1 (Debian libmagic1) must be installed");
        Assert.Equal(("image/png", FormatIdentifier.ByLibmagic), new FormatIdentifier(magic).Identify("data/scan.dat", Png));
    }

    [Fact]
    public void The_extension_refines_a_generic_text_answer()
    {
        using var magic = new LibMagic();
        var csv = Encoding.UTF8.GetBytes("id,value\n1,alpha\n");
        Assert.Equal(("text/csv", FormatIdentifier.ByExtension), new FormatIdentifier(magic).Identify("data/notes.csv", csv));
    }

    [Fact]
    public void An_empty_file_falls_back_to_the_extension()
    {
        using var magic = new LibMagic();
        Assert.Equal(("application/pdf", FormatIdentifier.ByExtension), new FormatIdentifier(magic).Identify("data/empty.pdf", []));
    }
}
