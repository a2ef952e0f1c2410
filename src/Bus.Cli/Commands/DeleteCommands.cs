using System.CommandLine;
using Bus.Cli.Output;
using Bus.Contracts.Deletion;
using Bus.Deletion.Data;
using Bus.Deletion.StateMachines;
using Bus.Operations.Sagas;
using Bus.Persistence.Sagas;
using Bus.Platform.Options;
using Bus.Registry;
using MassTransit;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>
/// Two-person deletion (docs/deletion.md). request/approve/reject/cancel ask the deletion service
/// over RabbitMQ and print its answer: exit 0 accepted, 1 refused (with the reason), 2 when the
/// service cannot be reached. list/show read saga state through <see cref="SagaStatusStore"/>.
/// </summary>
public static class DeleteCommands
{
    // One instance per command: System.CommandLine options belong to the command they are added to.
    private static Option<int> TimeoutOption() => new("--timeout") { Description = "Seconds to wait for the deletion service", DefaultValueFactory = _ => 30 };

    public static Command Create()
    {
        var delete = new Command("delete", "Delete preserved objects or files: one person requests, a second institutional admin approves");

        var identifier = new Argument<string>("identifier") { Description = "Object (institution/bag) or file (institution/bag/data/path)" };
        var by = new Option<string>("--by") { Description = "Your email address (a registered user)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why: kept in the PREMIS deletion event", Required = true };
        var timeout = TimeoutOption();
        var request = new Command("request", "Ask for a deletion; prints the request id to give the approver. Exit 1 if refused.") { identifier, by, reason, timeout };
        request.SetBusAction((p, context, output, ct) =>
        {
            // A malformed identifier is a usage error with its specific reason, not "unknown identifier".
            if (!Identifiers.TryParse(p.GetValue(identifier)!.Trim(), out _, out var identifierError)) throw new CliUsageException(identifierError);
            if (Identifiers.EmailError(p.GetValue(by)!.Trim().ToLowerInvariant()) is { } emailError) throw new CliUsageException(emailError);
            return AskAsync(context, output, p.GetValue(timeout), new RequestDeletion
            {
                RequestId = NewId.NextGuid(), Identifier = p.GetValue(identifier)!.Trim(), RequestedBy = p.GetValue(by)!.Trim(), Reason = p.GetValue(reason)!.Trim(),
            }, m => m.RequestId, ct);
        });

        delete.Subcommands.Add(request);
        delete.Subcommands.Add(Decision("approve", "Approve a pending deletion (an institutional admin of the item's institution, not the requester). Deletion starts.",
            (id, email, comment) => new ApproveDeletion { RequestId = id, By = email, Comment = comment }, m => m.RequestId));
        delete.Subcommands.Add(Decision("reject", "Reject a pending deletion (an institutional admin of the item's institution). Nothing is deleted.",
            (id, email, comment) => new RejectDeletion { RequestId = id, By = email, Comment = comment }, m => m.RequestId));
        delete.Subcommands.Add(Decision("cancel", "Withdraw your own pending deletion request.",
            (id, email, comment) => new CancelDeletion { RequestId = id, By = email, Comment = comment }, m => m.RequestId));
        delete.Subcommands.Add(List());
        delete.Subcommands.Add(Show());
        return delete;
    }

    private static Command Decision<T>(string name, string description, Func<Guid, string, string?, T> make, Func<T, Guid> requestId) where T : class
    {
        var id = new Argument<string>("requestId") { Description = "The id printed by 'busctl delete request'" };
        var by = new Option<string>("--by") { Description = "Your email address (a registered user)", Required = true };
        var comment = new Option<string?>("--comment") { Description = "Kept with the decision" };
        var timeout = TimeoutOption();
        var command = new Command(name, description + " Exit 1 if refused.") { id, by, comment, timeout };
        command.SetBusAction((p, context, output, ct) =>
            AskAsync(context, output, p.GetValue(timeout), make(ParseId(p.GetValue(id)!), p.GetValue(by)!.Trim(), p.GetValue(comment)), requestId, ct));
        return command;
    }

    private static Guid ParseId(string text) =>
        Guid.TryParse(text.Trim(), out var id) ? id : throw new CliUsageException($"'{text}' is not a deletion request id (a UUID printed by 'busctl delete request')");

    private static async Task<int> AskAsync<T>(CliContext context, CliOutput output, int seconds, T message, Func<T, Guid> requestId, CancellationToken ct)
        where T : class
    {
        if (seconds is < 1 or > 600) throw new CliUsageException($"--timeout must be 1-600 seconds (got {seconds})");
        CliBus bus;
        try { bus = await CliBus.StartAsync(context.Options<RabbitMqOptions>(), ct); }
        catch (Exception e) when (e is RabbitMqConnectionException or BrokerUnreachableException or OperationCanceledException or MassTransitException)
        {
            return output.Fail(ExitCodes.UsageOrConnection, $"cannot connect to RabbitMQ: {e.Message}");
        }
        await using (bus)
        {
            var client = bus.Bus.CreateRequestClient<T>(RequestTimeout.After(s: seconds));
            try
            {
                var response = await client.GetResponse<DeletionAccepted, DeletionRefused>(message, ct);
                if (response.Is(out Response<DeletionAccepted>? accepted))
                {
                    var a = accepted.Message;
                    output.Result(new { accepted = true, requestId = a.RequestId, identifier = a.Identifier, state = a.State },
                        console => console.MarkupLine($"[green]{TerminalText.Markup(a.State)}[/]: deletion [bold]{a.RequestId}[/] of {TerminalText.Markup(a.Identifier)}"));
                    return ExitCodes.Success;
                }
                if (!response.Is(out Response<DeletionRefused>? refused)) throw new InvalidOperationException("unexpected response type");
                var r = refused.Message;
                output.Result(new { accepted = false, requestId = r.RequestId, code = r.Code, reason = r.Reason },
                    console => console.MarkupLine($"[red]refused[/] ({TerminalText.Markup(r.Code)}): {TerminalText.Markup(r.Reason)}"));
                if (!output.Json) output.Error.WriteLine(TerminalText.Clean($"busctl: refused ({r.Code}): {r.Reason}"));
                return ExitCodes.Negative;
            }
            catch (RequestTimeoutException)
            {
                return output.Fail(ExitCodes.UsageOrConnection,
                    $"no deletion service answered deletion {requestId(message)} within {seconds} s (is bus-host running with the deletion role?)");
            }
        }
    }

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
        var command = new Command("show", "Show one deletion request: state, people, refusals, fault. Exit 1 if unknown.") { id };
        command.SetOperationsAction(async (p, context, output, ct) =>
        {
            var requestId = ParseId(p.GetValue(id)!);
            var row = await context.Get<SagaStatusStore>().DeletionRequestAsync(requestId, ct);
            if (row is null) return output.Fail(ExitCodes.Negative, $"no deletion request {requestId} exists");
            var detail = new
            {
                requestId = row.RequestId, state = row.State, identifier = row.Identifier, objectIdentifier = row.ObjectIdentifier,
                institution = row.Institution, isFile = row.IsFile, requestedBy = row.RequestedBy, reason = row.Reason, requestedAt = row.RequestedAt,
                expiresAt = row.ExpiresAt, decidedBy = row.DecidedBy, decidedAt = row.DecidedAt, comment = row.DecisionComment,
                completedAt = row.CompletedAt, copiesRemoved = row.CopiesRemoved, refusalCode = row.RefusalCode, refusalReason = row.RefusalReason,
                refusals = row.RefusalLog.Split('\n', StringSplitOptions.RemoveEmptyEntries), faultReason = row.FaultReason,
            };
            output.Result(detail, console =>
            {
                var grid = new Grid().AddColumn().AddColumn();
                void Row(string k, object? v) => grid.AddRow(TerminalText.Markup(k), TerminalText.Markup(v?.ToString() ?? ""));
                Row("Request", row.RequestId); Row("State", row.State); Row("Identifier", row.Identifier);
                Row("Requested by", row.RequestedBy); Row("Reason", row.Reason); Row("Requested at", row.RequestedAt.ToString("u"));
                Row("Expires at", row.ExpiresAt?.ToString("u")); Row("Decided by", row.DecidedBy); Row("Decided at", row.DecidedAt?.ToString("u"));
                Row("Comment", row.DecisionComment); Row("Completed at", row.CompletedAt?.ToString("u")); Row("Copies removed", row.CopiesRemoved);
                Row("Refusal", row.RefusalCode is null ? null : $"{row.RefusalCode}: {row.RefusalReason}"); Row("Fault", row.FaultReason);
                Row("Refusal log", row.RefusalLog.TrimEnd());
                console.Write(grid);
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
