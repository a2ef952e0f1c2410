using Bus.Cli.Output;

namespace Bus.Tests.BagIt;

public class When_bag_text_is_printed
{
    [Theory]
    [InlineData("plain name.txt", "plain name.txt")]
    [InlineData("\u001b[31mred\u001b[0m", "red")]
    [InlineData("a\rb", "a b")]
    [InlineData("line\nnext\tcol", "line next col")]
    [InlineData("t\u001b]0;window title\u0007ext", "text")]
    [InlineData("t\u001b]8;;http://x\u001b\\ext", "text")]
    [InlineData("c1\u009b2Jcsi", "c1csi")]
    [InlineData("nel\u0085bell\u0007del\u007fnul\0", "nelbelldelnul")]
    [InlineData("\u202egnp.exe", "gnp.exe")]
    [InlineData("esc at end\u001b", "esc at end")]
    [InlineData("Café ü ✓", "Café ü ✓")]
    public void Should_drop_control_characters_and_escape_sequences(string text, string shown) =>
        Assert.Equal(shown, TerminalText.Clean(text));

    [Fact]
    public void Should_keep_line_breaks_where_asked_and_never_a_carriage_return() =>
        Assert.Equal("one\ntwo\n\tthree", TerminalText.Clean("one\r\ntwo\r\n\t\u001b[1mthree", keepLines: true));

    [Fact]
    public void Should_escape_markup_after_cleaning() =>
        Assert.Equal("[[red]]x", TerminalText.Markup("[red]\u001b[31mx"));

    [Fact]
    public void Should_clean_warnings_and_failures_on_stderr()
    {
        var stderr = new StringWriter();
        var output = new CliOutput(json: false, new StringWriter(), stderr);
        output.Warn("path.case-collision: 'a\u001b[2Jb'");
        output.Fail(2, "x\rOK");
        Assert.Equal("warning: path.case-collision: 'ab'\nbusctl: x OK\n", stderr.ToString().ReplaceLineEndings("\n"));
    }
}
