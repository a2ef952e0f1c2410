using Bus.WebConsole.Reports;
using Bus.WebConsole.Rendering;

namespace Bus.Tests.Console;

public sealed class When_console_values_are_formatted
{
    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1023L, "1,023 B")]
    [InlineData(1536L, "1.5 KiB")]
    [InlineData(5L * 1024 * 1024, "5 MiB")]
    [InlineData(123L * 1024 * 1024 * 1024, "123 GiB")]
    public void Sizes_are_human_readable(long bytes, string expected) => Assert.Equal(expected, Humanize.Bytes(bytes));

    [Fact]
    public void Counts_are_grouped() => Assert.Equal("12,345,678", Humanize.Count(12_345_678));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    public void Csv_cells_are_quoted_and_formulas_defused(string text, string expected) => Assert.Equal(expected, ConsoleReports.Cell(text));

    [Fact]
    public void Numbers_stay_numbers_in_csv()
    {
        Assert.Equal("-5", ConsoleReports.Cell(-5L));
        Assert.Equal("", ConsoleReports.Cell(null));
        var csv = ConsoleReports.ToCsv(new Report("r", "R", "", [new("name"), new("bytes", IsBytes: true)], [["a.edu", 10L], ["b,edu", 0L]]));
        Assert.Equal("name,bytes\r\na.edu,10\r\n\"b,edu\",0\r\n", csv);
    }
}
