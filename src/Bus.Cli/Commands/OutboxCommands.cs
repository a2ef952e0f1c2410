using System.CommandLine;
using Bus.Operations.Outbox;
using Bus.Cli.Output;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>busctl outbox: outbox groups delivery parked (too large, or failing), and retry or discard them (docs/operations.md).</summary>
public static class OutboxCommands
{
    private static readonly Option<string> By = new("--by") { Description = "Who to record in the audit (default: the OS user)" };

    public static Command Create()
    {
        var outbox = new Command("outbox", "Parked outbox messages: sent by a consumer or saga, refused by delivery (too large or failing); retry or discard them");
        outbox.Subcommands.Add(List());
        outbox.Subcommands.Add(Act("retry", "Deliver parked groups again, from their first message (ids of groups or messages, see 'busctl outbox list')",
            (store, ids, actor, ct) => store.RetryAsync(ids, actor, ct)));
        outbox.Subcommands.Add(Act("discard", "Never send these parked groups (ids of groups or messages); the rows stay until cleanup, the action is audited",
            (store, ids, actor, ct) => store.DiscardAsync(ids, actor, ct)));
        return outbox;
    }

    private static Command List()
    {
        var limit = new Option<int>("--limit") { Description = "Show at most this many messages, oldest parked first", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "Parked outbox messages: group, message, destination, size, attempts and why");
        command.Options.Add(limit);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var n = parse.GetValue(limit);
            if (n < 1) throw new CliUsageException($"--limit must be at least 1 (got {n})");
            var parked = await context.Get<ParkedOutbox>().ListAsync(n, ct);
            output.Result(new { parked }, console =>
            {
                console.Write(Table(parked));
                if (parked.Count == 0) console.WriteLine("(no parked outbox messages)");
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Act(string name, string description,
        Func<ParkedOutbox, IReadOnlyCollection<Guid>, string, CancellationToken, Task<IReadOnlyList<ParkedOutboxAction>>> act)
    {
        var ids = new Argument<string[]>("id") { Description = "Outbox group id or message id (GUID)", Arity = ArgumentArity.OneOrMore };
        var command = new Command(name, description);
        command.Arguments.Add(ids);
        command.Options.Add(By);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var wanted = (parse.GetValue(ids) ?? []).Select(raw => Guid.TryParse(raw, out var g) ? g
                : throw new CliUsageException($"'{raw}' is not an outbox group or message id (expected a GUID)")).ToList();
            var actor = parse.GetValue(By) is { Length: > 0 } by ? by : Environment.UserName;
            var results = await act(context.Get<ParkedOutbox>(), wanted, actor, ct);
            output.Result(new { results }, console =>
            {
                foreach (var r in results) console.WriteLine($"{r.OutboxId}: {r.Outcome}");
            });
            return results.All(r => r.Outcome is "retried" or "discarded") ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    internal static Table Table(IReadOnlyList<ParkedOutboxMessage> rows)
    {
        var table = new Table().AddColumns("Group", "#", "Message id", "Message type", "Destination", "Bytes", "Attempts", "Parked at", "Reason");
        foreach (var r in rows)
            table.AddRow(r.OutboxId.ToString(), r.SequenceNumber.ToString(), r.MessageId.ToString(), TerminalText.Markup(r.MessageType), TerminalText.Markup(r.DestinationAddress),
                r.Bytes.ToString(), r.Attempts.ToString(), OperationsCommandSupport.Time(r.ParkedAt), TerminalText.Markup(r.Reason));
        return table;
    }
}
