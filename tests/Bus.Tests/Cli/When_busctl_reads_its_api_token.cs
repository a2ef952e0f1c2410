using System.Runtime.Versioning;
using Bus.Cli.Api;
using Bus.Cli.Commands;

namespace Bus.Tests.Cli;

[UnsupportedOSPlatform("windows")]
public sealed class When_busctl_reads_its_api_token : IDisposable
{
    private const string Token = "bus_abcd1234_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0";
    private readonly string _folder = Directory.CreateTempSubdirectory("busctl-token-").FullName;

    private FileInfo Write(string text, UnixFileMode mode)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return new FileInfo(path);
    }

    private static string? NoEnvironment(string _) => null;

    [Fact]
    public void A_file_only_its_owner_can_read_gives_the_token_without_its_line_break()
    {
        var file = Write(Token + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(Token, ApiToken.Resolve(file, NoEnvironment));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead, "640")]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead, "644")]
    [InlineData(UnixFileMode.OtherWrite, "602")]
    public void A_file_group_or_others_can_use_is_refused_naming_its_mode_and_never_the_token(UnixFileMode extra, string octal)
    {
        var file = Write(Token, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);
        var refused = Assert.Throws<CliUsageException>(() => ApiToken.Resolve(file, NoEnvironment));
        Assert.Contains($"mode {octal}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_token_says_how_to_get_one()
    {
        var refused = Assert.Throws<CliUsageException>(() => ApiToken.Resolve(null, NoEnvironment));
        Assert.Contains("busctl users token create", refused.Message, StringComparison.Ordinal);
        Assert.Contains("BUS_TOKEN", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_variable_is_used_when_no_file_is_given_and_a_file_wins_over_it()
    {
        Assert.Equal(Token, ApiToken.Resolve(null, name => name == "BUS_TOKEN" ? $" {Token} " : null));
        var file = Write("bus_zzzz9999_other", UnixFileMode.UserRead);
        Assert.Equal("bus_zzzz9999_other", ApiToken.Resolve(file, _ => Token));
    }

    [Fact]
    public void Two_tokens_in_one_file_are_refused_without_echoing_them()
    {
        var file = Write(Token + "\n" + Token, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var refused = Assert.Throws<CliUsageException>(() => ApiToken.Resolve(file, NoEnvironment));
        Assert.DoesNotContain(Token, refused.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
