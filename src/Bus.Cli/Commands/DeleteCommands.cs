using System.CommandLine;
using System.Text.Json;
using Bus.Cli.Api;
using Bus.Cli.Output;
using Bus.Deletion.StateMachines;
using Bus.Operations.Sagas;
using Bus.Persistence.Sagas;
using Bus.Registry;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>
/// Two-person deletion (docs/deletion.md) through the HTTP API: the requester and each decider is the
/// token's user, never a flag. request/approve/reject/cancel print the deletion service's answer: exit 0
/// accepted, 1 refused (with its code) or unknown, 2 when the API cannot be reached. list reads the saga
/// status view directly (an operator command, like <c>busctl sagas</c>).
/// </summary>
public static class DeleteCommands
{
    // One instance per command: System.CommandLine options belong to the command they are added to.
    private static Option<int> TimeoutOption() => new("--timeout") { Description = "Seconds to wait for the API's answer", DefaultValueFactory = _ => 60 };

    public static Command Create()
    {
        var delete = new Command("delete", "Delete preserved objects or files: one institutional admin requests, a second approves ($BUS_TOKEN or --token-file)");

        var identifier = new Argument<string>("identifier") { Description = "Object (institution/bag) or file (institution/bag/data/path)" };
        var reason = new Option<string>("--reason") { Description = "Why: kept in the PREMIS deletion event", Required = true };
        var timeout = TimeoutOption();
        var request = new Command("request", "Ask for a deletion as the token's user; prints the request id to give the approver. Exit 1 if refused.") { identifier, reason, timeout };
        request.SetApiAction(async (p, api, output, ct) =>
        {
            // A malformed identifier is a usage error with its specific reason, not "unknown identifier".
            var id = p.GetValue(identifier)!.Trim();
            if (!Identifiers.TryParse(id, out _, out var identifierError)) throw new CliUsageException(identifierError);
            var answer = await api.PostAsync("deletions", new { identifier = id, reason = p.GetValue(reason)!.Trim() }, ct, Seconds(p.GetValue(timeout)));
            return Accepted(output, answer);
        });

        delete.Subcommands.Add(request);
        delete.Subcommands.Add(Decision("approve", "Approve a pending deletion as the token's user (an institutional admin of the item's institution, not the requester). Deletion starts."));
        delete.Subcommands.Add(Decision("reject", "Reject a pending deletion as the token's user (an institutional admin of the item's institution). Nothing is deleted."));
        delete.Subcommands.Add(Decision("cancel", "Withdraw your own pending deletion request."));
        delete.Subcommands.Add(List());
        delete.Subcommands.Add(Show());
        return delete.WithTokenFile();
    }

    private static Command Decision(string name, string description)
    {
        var id = new Argument<string>("requestId") { Description = "The id printed by 'busctl delete request'" };
        var comment = new Option<string?>("--comment") { Description = "Kept with the decision" };
        var timeout = TimeoutOption();
        var command = new Command(name, description + " Exit 1 if refused.") { id, comment, timeout };
        command.SetApiAction(async (p, api, output, ct) =>
        {
            var requestId = ParseId(p.GetValue(id)!);
            var answer = await api.PostAsync($"deletions/{requestId}/{name}", new { comment = p.GetValue(comment) }, ct, Seconds(p.GetValue(timeout)));
            return Accepted(output, answer);
        });
        return command;
    }

    private static TimeSpan Seconds(int seconds) =>
        seconds is < 1 or > 600 ? throw new CliUsageException($"--timeout must be 1-600 seconds (got {seconds})") : TimeSpan.FromSeconds(seconds);

    private static int Accepted(CliOutput output, JsonElement a)
    {
        output.Result(new { accepted = true, requestId = a.Text("requestId"), identifier = a.Text("identifier"), state = a.Text("state") },
            console => console.MarkupLine($"[green]{TerminalText.Markup(a.Text("state"))}[/]: deletion [bold]{TerminalText.Markup(a.Text("requestId"))}[/] of {TerminalText.Markup(a.Text("identifier"))}"));
        return ExitCodes.Success;
    }

    private static Guid ParseId(string text) =>
        Guid.TryParse(text.Trim(), out var id) ? id : throw new CliUsageException($"'{text}' is not a deletion request id (a UUID printed by 'busctl delete request')");

    private static Command List()
    {
        var state = new Option<string?>("--state") { Description = $"Only requests in this state: {string.Join(", ", DeletionStateMachine.StateNames)}" };
        var command = new Command("list", "List deletion requests from the saga status view (what 'busctl sagas list --type deletion' shows), most recently changed first") { state };
        command.SetOperationsAction(async (p, context, output, ct) =>
        {
            var match = p.GetValue(state) is { } wanted
                ? SagaStates.Match(DeletionStateMachine.StateNames, wanted)
                  ?? throw new CliUsageException($"unknown state '{wanted}': expected one of {string.Join(", ", DeletionStateMachine.StateNames)}")
                : null;
            var rows = await context.Get<SagaStatusStore>().ListAsync(SagaType, match, null, 1000, ct);
            var requests = rows.Select(r => new
            {
                requestId = r.CorrelationId, state = r.CurrentState, identifier = r.BusinessKey, stateSince = r.StateSince, updatedAt = r.UpdatedAt,
                lastError = r.LastError, terminal = r.Terminal,
            }).ToList();
            output.Result(new { requests }, console =>
            {
                var table = new Table().AddColumns("Request", "State", "Identifier", "Since", "Fault or refusal");
                foreach (var r in rows)
                    table.AddRow(r.CorrelationId.ToString(), TerminalText.Markup(r.CurrentState), TerminalText.Markup(r.BusinessKey ?? ""),
                        OperationsCommandSupport.Time(r.StateSince ?? r.UpdatedAt), TerminalText.Markup(r.LastError ?? ""));
                console.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The deletion module's type in the status views (its AddSagaStatusView migration).</summary>
    private const string SagaType = "deletion";

    private static Command Show()
    {
        var id = new Argument<string>("requestId") { Description = "A deletion request id" };
        var command = new Command("show", "Show one deletion request: state, people, refusals, fault. Exit 1 if unknown (or of another institution).") { id };
        command.SetApiAction(async (p, api, output, ct) =>
        {
            var row = await api.GetAsync($"deletions/{ParseId(p.GetValue(id)!)}", ct);
            output.Result(row, console =>
            {
                var grid = new Grid().AddColumn().AddColumn();
                void Row(string k, string name) => grid.AddRow(TerminalText.Markup(k), TerminalText.Markup(row.Text(name)));
                Row("Request", "requestId"); Row("State", "state"); Row("Identifier", "identifier");
                Row("Requested by", "requestedBy"); Row("Reason", "reason"); Row("Requested at", "requestedAt");
                Row("Expires at", "expiresAt"); Row("Decided by", "decidedBy"); Row("Decided at", "decidedAt");
                Row("Comment", "comment"); Row("Completed at", "completedAt"); Row("Copies removed", "copiesRemoved");
                Row("Refusal", "refusalCode"); Row("Refusal reason", "refusalReason"); Row("Fault", "faultReason");
                grid.AddRow("Refusal log", TerminalText.MarkupLines(row.TryGetProperty("refusals", out var log) ? log.EnumerateArray().Select(e => e.GetString() ?? "") : []));
                console.Write(grid);
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
