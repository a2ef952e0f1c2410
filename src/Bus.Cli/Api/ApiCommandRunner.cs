using System.CommandLine;
using Bus.Cli.Commands;
using Bus.Cli.Output;

namespace Bus.Cli.Api;

/// <summary>
/// Runs a depositor's or admin's command through the HTTP API: no server configuration, no database
/// or broker credentials, only <c>BUS_API_URL</c> and a token. Problems print their title, detail and
/// type and exit non-zero (<see cref="ApiProblemException.ExitCode"/>).
/// </summary>
public static class ApiCommandRunner
{
    /// <summary>Adds <c>--token-file</c> to a command group (recursive: every subcommand takes it).</summary>
    public static Command WithTokenFile(this Command group)
    {
        var option = TokenFileOption();
        option.Recursive = true;
        group.Options.Add(option);
        return group;
    }

    /// <summary>A <c>--token-file</c> option for one command (fixity check, beside operator commands that take none).</summary>
    public static Option<FileInfo?> TokenFileOption() => new(TokenFileName)
    {
        Description = $"File holding your API token (mode 600); default: ${ApiToken.Variable}",
    };

    private const string TokenFileName = "--token-file";

    public static void SetApiAction(this Command command, Func<ParseResult, ApiClient, CliOutput, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = new CliOutput(parseResult.GetValue(CommandRunner.Json));
            try
            {
                var url = ApiClient.ResolveUrl();
                var token = ApiToken.Resolve(parseResult.GetValue<FileInfo?>(TokenFileName));
                using var client = new ApiClient(url, token);
                return await body(parseResult, client, output, cancellationToken);
            }
            catch (CliUsageException e)
            {
                return output.Fail(ExitCodes.UsageOrConnection, e.Message);
            }
            catch (ApiUnreachableException e)
            {
                return output.Fail(ExitCodes.UsageOrConnection, e.Message);
            }
            catch (ApiProblemException problem)
            {
                return Fail(output, problem);
            }
        });

    /// <summary>Prints a problem: "title: detail (type)" on stderr, and with --json one document with its fields.</summary>
    public static int Fail(CliOutput output, ApiProblemException problem)
    {
        var message = problem.Detail is { Length: > 0 } detail ? $"{problem.Title}: {detail}" : problem.Title;
        if (problem.Status == 401) message += $". The API needs a valid personal token: {ApiToken.HowToGetOne}";
        output.Error.WriteLine($"busctl: {TerminalText.Clean(message)} ({TerminalText.Clean(problem.Type)})");
        if (output.Json)
        {
            var document = new Dictionary<string, object?>
            {
                ["error"] = problem.Detail ?? problem.Title, ["code"] = problem.Code, ["title"] = problem.Title, ["type"] = problem.Type,
                ["status"] = problem.Status,
            };
            foreach (var (name, value) in problem.Extensions) document.TryAdd(name, value);
            document["exitCode"] = problem.ExitCode;
            output.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(document, CliOutput.JsonOptions));
        }
        return problem.ExitCode;
    }
}
