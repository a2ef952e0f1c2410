using System.CommandLine;
using Bus.Cli.Api;
using Bus.Cli.Output;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary><c>busctl alerts list|ack</c> through the HTTP API: the acknowledger is the token's user.</summary>
public static class AlertsCommands
{
    public static Command Create()
    {
        var alerts = new Command("alerts", "Alerts raised by fixity checks (mismatches, lost copies), through the API ($BUS_TOKEN or --token-file)");

        var all = new Option<bool>("--all") { Description = "Include acknowledged alerts" };
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => 500 };
        var list = new Command("list", "List open alerts your token may see, newest first") { all, limit };
        list.SetApiAction(async (parse, api, output, ct) =>
        {
            var max = parse.GetValue(limit);
            if (max is < 1 or > 100_000) throw new CliUsageException($"--limit must be 1-100000 (got {max})");
            var rows = await ApiDocuments.ReadPagesAsync(api, parse.GetValue(all) ? "alerts?all=true" : "alerts", max, ct);
            output.Result(new { alerts = rows }, console =>
            {
                var table = new Table().AddColumns("Id", "Created", "Kind", "About", "Message", "Acknowledged");
                foreach (var r in rows)
                    table.AddRow(r.Text("id"), TerminalText.Markup(r.Text("createdAt")), TerminalText.Markup(r.Text("kind")), TerminalText.Markup(r.Text("identifier")),
                        TerminalText.Markup(r.Text("message")),
                        r.Text("acknowledgedAt") is { Length: > 0 } at ? TerminalText.Markup($"{at} by {r.Text("acknowledgedBy")}") : "");
                console.Write(table);
            });
            return ExitCodes.Success;
        });

        var id = new Argument<Guid>("id") { Description = "Alert id" };
        var ack = new Command("ack", "Acknowledge an alert as the token's user (institutional admins, operators). Exit 1 when unknown or already acknowledged.") { id };
        ack.SetApiAction(async (parse, api, output, ct) =>
        {
            var alert = await api.PostAsync($"alerts/{parse.GetValue(id)}/acknowledge", null, ct);
            output.Result(alert, console => console.MarkupLine(
                $"acknowledged {TerminalText.Markup(alert.Text("id"))} as {TerminalText.Markup(alert.Text("acknowledgedBy"))}"));
            return ExitCodes.Success;
        });

        alerts.Subcommands.Add(list);
        alerts.Subcommands.Add(ack);
        return alerts.WithTokenFile();
    }
}
