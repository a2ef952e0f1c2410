using Bus.Cli.Commands;
namespace Bus.Cli.Api;

/// <summary>
/// Where a depositor's or admin's personal API token comes from: <c>--token-file</c>, else
/// <c>BUS_TOKEN</c>. The token itself is never printed, not even in an error.
/// </summary>
public static class ApiToken
{
    public const string Variable = "BUS_TOKEN";

    public const string HowToGetOne =
        "an operator creates one with 'busctl users token create <your email>'; pass it as BUS_TOKEN=<token> or in a file given with --token-file <path> (mode 600)";

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The token, or a <see cref="CliUsageException"/> that says what is wrong and how to get one.</summary>
    public static string Resolve(FileInfo? tokenFile, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string token;
        string source;
        if (tokenFile is not null)
        {
            source = $"token file {tokenFile.FullName}";
            if (!tokenFile.Exists) throw new CliUsageException($"no such token file: {tokenFile.FullName}");
            // Like ssh with a private key: a secret others can read is refused, not used.
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(tokenFile.FullName) & GroupOrOther) != 0)
                throw new CliUsageException(
                    $"token file {tokenFile.FullName} is accessible by group or others (mode {Octal(File.GetUnixFileMode(tokenFile.FullName))}): " +
                    $"run 'chmod 600 {tokenFile.FullName}' and replace the token if others may have read it");
            token = File.ReadAllText(tokenFile.FullName);
        }
        else
        {
            source = Variable;
            token = environment(Variable) ?? "";
            if (token.Trim().Length == 0) throw new CliUsageException($"no API token: {HowToGetOne}");
        }
        token = token.Trim();
        if (token.Length == 0) throw new CliUsageException($"{source} is empty: {HowToGetOne}");
        // A line break or space would end up inside the Authorization header; say so without echoing the text.
        if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || token.Length > 8192)
            throw new CliUsageException($"{source} does not hold one token (it has spaces, several lines or is too long)");
        return token;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(3, '0');
}
