using Bus.Cli.Output;
using System.CommandLine;
using Spectre.Console;

namespace Bus.Cli.Commands;

public static class AlertsCommands
{
    public static Command Create()
    {
        var alerts = new Command("alerts", "Alerts raised by fixity checks (mismatches, lost copies)");

        var all = new Option<bool>("--all") { Description = "Include acknowledged alerts" };
        var list = new Command("list", "List open alerts, newest first") { all };
        list.SetBusAction((parseResult, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var rows = await store.ListAlertsAsync(parseResult.GetValue(all), cancellationToken: ct);
            output.Result(new { alerts = rows }, console =>
            {
                var table = new Table().AddColumns("Id", "Created", "Kind", "About", "Message", "Acknowledged");
                foreach (var r in rows)
                    table.AddRow(r.Id.ToString(), r.CreatedAt.ToString("u"), TerminalText.Markup(r.Kind), TerminalText.Markup(r.Identifier ?? ""),
                        TerminalText.Markup(r.Message), r.AcknowledgedAt is { } at ? TerminalText.Markup($"{at:u} by {r.AcknowledgedBy}") : "");
                console.Write(table);
            });
            return ExitCodes.Success;
        }, ct));

        var id = new Argument<Guid>("id") { Description = "Alert id" };
        var by = new Option<string>("--by") { Description = "Who acknowledges (email)", Required = true };
        var ack = new Command("ack", "Acknowledge an alert. Exit 1 when unknown or already acknowledged.") { id, by };
        ack.SetBusAction((parseResult, context, output, ct) => RegistryCommandSupport.WithStoreAsync(context, output, async store =>
        {
            var alertId = parseResult.GetValue(id);
            if (!await store.AcknowledgeAlertAsync(alertId, parseResult.GetValue(by)!, ct))
                return output.Fail(ExitCodes.Negative, $"no open alert {alertId}");
            output.Result(new { acknowledged = alertId }, console => console.MarkupLine($"acknowledged {alertId}"));
            return ExitCodes.Success;
        }, ct));

        alerts.Subcommands.Add(list);
        alerts.Subcommands.Add(ack);
        return alerts;
    }
}
