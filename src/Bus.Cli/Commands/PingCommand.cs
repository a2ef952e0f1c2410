using Bus.Cli.Output;
using System.CommandLine;
using System.Diagnostics;
using Bus.Contracts.Diagnostics;
using Bus.Platform.Options;
using MassTransit;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

public static class PingCommand
{
    public static Command Create()
    {
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for an answer", DefaultValueFactory = _ => 10 };
        var command = new Command("ping", "Send Ping over RabbitMQ and wait for a host running the diagnostics role to answer. Exit 1 if none answers.");
        command.Options.Add(timeout);
        command.SetBusAction(async (parse, context, output, ct) =>
        {
            var seconds = parse.GetValue(timeout);
            if (seconds is < 1 or > 600) throw new CliUsageException($"--timeout must be 1-600 seconds (got {seconds})");
            CliBus bus;
            try { bus = await CliBus.StartAsync(context.Options<RabbitMqOptions>(), ct); }
            catch (Exception e) when (e is RabbitMqConnectionException or BrokerUnreachableException or OperationCanceledException or MassTransitException)
            {
                return output.Fail(ExitCodes.UsageOrConnection, $"cannot connect to RabbitMQ: {e.Message}");
            }
            await using (bus)
            {
                var client = bus.Bus.CreateRequestClient<Ping>(RequestTimeout.After(s: seconds));
                var ping = new Ping(Guid.NewGuid(), DateTimeOffset.UtcNow);
                var watch = Stopwatch.StartNew();
                try
                {
                    var pong = (await client.GetResponse<Pong>(ping, ct)).Message;
                    var result = new { answered = true, pong.PingId, pong.HostName, pong.ProcessId, pong.Roles, roundTripMs = watch.Elapsed.TotalMilliseconds };
                    output.Result(result, console => console.MarkupLine(
                        $"[green]pong[/] from {TerminalText.Markup(pong.HostName)} pid {pong.ProcessId} (roles {TerminalText.Markup(string.Join(",", pong.Roles))}) in {watch.Elapsed.TotalMilliseconds:F0} ms"));
                    return ExitCodes.Success;
                }
                catch (RequestTimeoutException)
                {
                    output.Result(new { answered = false, ping.PingId, timeoutSeconds = seconds },
                        console => console.MarkupLine($"[red]no host answered[/] within {seconds} s (is bus-host running with the diagnostics role?)"));
                    return ExitCodes.Negative;
                }
            }
        });
        return command;
    }
}
