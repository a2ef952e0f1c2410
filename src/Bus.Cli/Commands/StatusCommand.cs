using Bus.Cli.Output;
using System.CommandLine;
using Bus.Platform.Probes;
using Spectre.Console;

namespace Bus.Cli.Commands;

public static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Check RabbitMQ, PostgreSQL and every bucket: reachable or not, and why. Exit 0 all up, 2 any down.");
        command.SetBusAction(async (_, context, output, cancellationToken) =>
        {
            var probes = context.Get<IEnumerable<IComponentProbe>>();
            var results = (await Task.WhenAll(probes.Select(p => p.ProbeAsync(cancellationToken)))).SelectMany(r => r).ToList();
            var healthy = results.All(r => r.Up);
            output.Result(new { healthy, components = results }, console =>
            {
                var table = new Table().AddColumns("Component", "State", "Endpoint", "Detail");
                foreach (var r in results)
                    table.AddRow(TerminalText.Markup(r.Component), r.Up ? "[green]up[/]" : "[red]down[/]", TerminalText.Markup(r.Endpoint), TerminalText.Markup(r.Detail));
                console.Write(table);
            });
            return healthy ? ExitCodes.Success : ExitCodes.UsageOrConnection;
        });
        return command;
    }
}
