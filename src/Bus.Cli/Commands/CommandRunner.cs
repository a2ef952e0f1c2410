using System.CommandLine;
using Bus.Cli.Output;
using Microsoft.Extensions.Options;

namespace Bus.Cli.Commands;

/// <summary>Runs a command body with the shared context, turning configuration errors into exit 2.</summary>
public static class CommandRunner
{
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print exactly one JSON document on stdout",
        Recursive = true,
    };

    public static void SetBusAction(this Command command, Func<ParseResult, CliContext, CliOutput, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = new CliOutput(parseResult.GetValue(Json));
            try
            {
                await using var context = CliContext.Create();
                return await body(parseResult, context, output, cancellationToken);
            }
            catch (OptionsValidationException e)
            {
                return output.Fail(ExitCodes.UsageOrConnection, "invalid configuration: " + string.Join("; ", e.Failures));
            }
            catch (CliUsageException e)
            {
                return output.Fail(ExitCodes.UsageOrConnection, e.Message);
            }
        });
}

/// <summary>Thrown by a command for bad arguments or unreadable input: exit 2 with the message.</summary>
public sealed class CliUsageException(string message) : Exception(message);
