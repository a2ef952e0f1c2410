using System.CommandLine;
using System.Net.Sockets;
using Bus.Cli.Output;
using Bus.Operations;
using Bus.Operations.Archive;
using Bus.Operations.ErrorQueues;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>What the error-queue and saga commands share: server errors as exit 2, UTC times as operators read them.</summary>
public static class OperationsCommandSupport
{
    public static string Time(DateTimeOffset? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'") ?? "";

    /// <summary>Operations errors that are the operator's to fix (unknown queue, server down) exit 2 with the reason; shared by errors and sagas.</summary>
    public static void SetOperationsAction(this Command command, Func<ParseResult, CliContext, CliOutput, CancellationToken, Task<int>> body) =>
        command.SetBusAction(async (parse, context, output, ct) =>
        {
            try
            {
                return await body(parse, context, output, ct);
            }
            catch (OperationsUsageException e)
            {
                return output.Fail(ExitCodes.UsageOrConnection, e.Message);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                return output.Fail(ExitCodes.UsageOrConnection, $"{e.MessageText}: run 'busctl db migrate'");
            }
            catch (Exception e) when (e is BrokerUnreachableException or HttpRequestException or NpgsqlException or SocketException or OperationInterruptedException)
            {
                // BrokerUnreachableException says only "none reachable": the innermost cause is the useful part.
                var cause = e.GetBaseException();
                return output.Fail(ExitCodes.UsageOrConnection,
                    cause == e ? $"{e.GetType().Name}: {e.Message}" : $"{e.GetType().Name}: {e.Message} ({cause.GetType().Name}: {cause.Message})");
            }
        });
}
