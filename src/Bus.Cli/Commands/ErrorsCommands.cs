using System.CommandLine;
using System.Net.Sockets;
using Bus.Cli.Output;
using Bus.Operations;
using Bus.Operations.Archive;
using Bus.Operations.ErrorQueues;
using Bus.Operations.Outbox;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>busctl errors: look at, replay and archive messages in the *_error and *_skipped queues (docs/operations.md).</summary>
public static class ErrorsCommands
{
    private static readonly Argument<string> Queue = new("queue") { Description = "Error queue, e.g. ingest-validate_error (see 'busctl errors list')" };
    private static readonly Option<string[]> MessageIds = new("--message-id") { Description = "Message id (GUID); repeat or list several", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<bool> All = new("--all") { Description = "Every message in the queue" };
    private static readonly Option<string> ExceptionType = new("--exception-type") { Description = "Messages that failed with this exception type (full or short name)" };
    private static readonly Option<string> MessageType = new("--message-type") { Description = "Messages of this type (urn:message:..., full or short name); combine with --exception-type for one group of 'errors list'" };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Show what would be done and change nothing" };
    private static readonly Option<string> By = new("--by") { Description = "Who to record in the audit (default: the OS user)" };

    private const int ParkedShown = 100;

    public static Command Create()
    {
        var errors = new Command("errors", "Error queues: why messages failed; replay, archive and restore them without losing any");
        errors.Subcommands.Add(List());
        errors.Subcommands.Add(Show());
        errors.Subcommands.Add(Replay());
        errors.Subcommands.Add(ArchiveCommand());
        errors.Subcommands.Add(Archived());
        errors.Subcommands.Add(Restore());
        errors.Subcommands.Add(PurgeArchive());
        return errors;
    }

    private static Command List()
    {
        var filter = new Option<string>("--queue") { Description = "Only queues whose name contains this text" };
        var command = new Command("list", "Every *_error and *_skipped queue with its count, failures grouped by message and exception type; parked outbox messages");
        command.Options.Add(filter);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var queues = await context.Get<ErrorQueueService>().ListAsync(parse.GetValue(filter), ct);
            // Not a queue, but failed messages all the same: outbox groups delivery parked (busctl outbox).
            var parkedOutbox = parse.GetValue(filter) is null ? await context.Get<ParkedOutbox>().ListAsync(ParkedShown, ct) : [];
            output.Result(new { queues, parkedOutbox }, console =>
            {
                var table = new Table().AddColumns("Queue", "Messages", "Message type", "Exception type", "Count", "First seen", "Last seen");
                foreach (var q in queues)
                {
                    table.AddRow(TerminalText.Markup(q.Name), q.Messages.ToString(), "", "", "", "", "");
                    foreach (var g in q.Groups)
                        table.AddRow("", "", TerminalText.Markup(g.MessageType), TerminalText.Markup(g.ExceptionType), g.Count.ToString(), OperationsCommandSupport.Time(g.FirstSeen), OperationsCommandSupport.Time(g.LastSeen));
                }
                console.Write(table);
                foreach (var q in queues.Where(q => q.Truncated))
                    output.Warn($"{q.Name}: only the first {q.Scanned} messages were grouped (Bus:Operations:MaxScanMessages)");
                if (parkedOutbox.Count > 0)
                {
                    console.Write(new Rule("Parked outbox messages (busctl outbox retry|discard)").LeftJustified());
                    console.Write(OutboxCommands.Table(parkedOutbox));
                    if (parkedOutbox.Count == ParkedShown) output.Warn($"only the first {ParkedShown} parked outbox messages are shown: see 'busctl outbox list --limit'");
                }
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var messageId = new Option<string>("--message-id") { Description = "Show only this message (GUID)" };
        var limit = new Option<int>("--limit") { Description = "Show at most this many messages from the head of the queue", DefaultValueFactory = _ => 10 };
        var command = new Command("show", "Messages of an error queue: fault, host and reason headers, body as indented JSON, stack trace, saga");
        command.Arguments.Add(Queue);
        command.Options.Add(messageId);
        command.Options.Add(limit);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            Guid? id = null;
            if (parse.GetValue(messageId) is { } raw)
                id = Guid.TryParse(raw, out var g) ? g : throw new CliUsageException($"--message-id '{raw}' is not a message id (expected a GUID)");
            var n = parse.GetValue(limit);
            if (n < 1) throw new CliUsageException($"--limit must be at least 1 (got {n})");
            var messages = await context.Get<ErrorQueueService>().ShowAsync(parse.GetValue(Queue)!, id, n, ct);
            output.Result(new { queue = parse.GetValue(Queue), messages }, console =>
            {
                foreach (var m in messages)
                {
                    console.Write(new Rule($"#{m.Position} {TerminalText.Markup(m.MessageId ?? "(no message id)")}").LeftJustified());
                    var table = new Table().HideHeaders().AddColumns("", "");
                    table.AddRow("Message type", TerminalText.Markup(string.Join(", ", m.MessageTypes)));
                    table.AddRow("Exception", TerminalText.Markup($"{m.ExceptionType}: {m.ExceptionMessage}"));
                    table.AddRow("Reason", TerminalText.Markup(m.Reason ?? ""));
                    table.AddRow("Failed at", TerminalText.Markup(OperationsCommandSupport.Time(m.FaultTimestamp)));
                    table.AddRow("Failed on", TerminalText.Markup(m.InputAddress ?? ""));
                    table.AddRow("Replayed before", m.ReplayCount.ToString());
                    table.AddRow("Correlation id", TerminalText.Markup(m.CorrelationId?.ToString() ?? ""));
                    table.AddRow("Saga", TerminalText.Markup(m.Saga is { } s ? $"{s.SagaType} in state {s.CurrentState} (updated {OperationsCommandSupport.Time(s.UpdatedAt)})" : "(none found)"));
                    foreach (var (k, v) in m.FaultHeaders.Concat(m.HostHeaders).Concat(m.OtherHeaders).Concat(m.Properties))
                        table.AddRow(TerminalText.Markup(k), TerminalText.Markup(v ?? ""));
                    console.Write(table);
                    console.WriteLine("Body:");
                    console.WriteLine(TerminalText.Clean(m.Body, keepLines: true));
                    if (m.StackTrace is not null) { console.WriteLine("Stack trace:"); console.WriteLine(TerminalText.Clean(m.StackTrace, keepLines: true)); }
                }
                if (messages.Count == 0) console.WriteLine("(queue is empty)");
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Replay()
    {
        var command = new Command("replay", "Send selected messages back to the queue they failed on (confirmed before removal: never lost)");
        AddSelectors(command);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var selector = Selector(parse);
            var report = await context.Get<ErrorQueueService>().ReplayAsync(parse.GetValue(Queue)!, selector, parse.GetValue(DryRun), Actor(parse), ct);
            var missing = MissingIds(selector, report.Messages.Select(m => m.MessageId));
            output.Result(new { report.Queue, report.DryRun, report.Scanned, report.Truncated, report.Replayed, report.Failed, notFound = missing, report.Messages }, console =>
            {
                var table = new Table().AddColumns("#", "Message id", "Target", "Outcome", "Detail");
                foreach (var m in report.Messages)
                    table.AddRow(m.Position.ToString(), TerminalText.Markup(m.MessageId ?? ""), TerminalText.Markup(m.Target ?? ""), m.Outcome.ToString(), TerminalText.Markup(m.Detail ?? ""));
                console.Write(table);
                console.WriteLine(report.DryRun
                    ? $"dry run: {report.Messages.Count(m => m.Outcome == ReplayOutcome.WouldReplay)} would be replayed, nothing changed"
                    : $"{report.Replayed} replayed, {report.Failed} left in {report.Queue}");
            });
            foreach (var id in missing) output.Warn($"message {id} is not in {report.Queue}");
            if (report.Truncated) output.Warn($"only the first {report.Scanned} messages were examined (Bus:Operations:MaxScanMessages); run again for the rest");
            if (report.Messages.Count == 0 && missing.Count == 0) output.Warn("no message matched");
            return report.Failed > 0 || missing.Count > 0 || report.Messages.Count == 0 ? ExitCodes.Negative : ExitCodes.Success;
        });
        return command;
    }

    private static Command ArchiveCommand()
    {
        var command = new Command("archive", "Move selected messages out of an error queue into PostgreSQL (bus.archived_error_messages), nothing discarded");
        AddSelectors(command);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var selector = Selector(parse);
            var report = await context.Get<ErrorArchive>().ArchiveAsync(parse.GetValue(Queue)!, selector, parse.GetValue(DryRun), Actor(parse), ct);
            var missing = MissingIds(selector, report.Messages.Select(m => m.MessageId));
            output.Result(new { report.Queue, report.DryRun, report.Scanned, report.Truncated, archived = report.DryRun ? 0 : report.Messages.Count, notFound = missing, report.Messages }, console =>
            {
                console.Write(ArchivedTable(report.Messages, showIds: !report.DryRun));
                console.WriteLine(report.DryRun ? $"dry run: {report.Messages.Count} would be archived, nothing changed" : $"{report.Messages.Count} archived");
            });
            foreach (var id in missing) output.Warn($"message {id} is not in {report.Queue}");
            if (report.Messages.Count == 0 && missing.Count == 0) output.Warn("no message matched");
            return missing.Count > 0 || report.Messages.Count == 0 ? ExitCodes.Negative : ExitCodes.Success;
        });
        return command;
    }

    private static Command Archived()
    {
        var queue = new Option<string>("--queue") { Description = "Only messages archived from this queue" };
        var command = new Command("archived", "Messages in the archive (ids for 'errors restore')");
        command.Options.Add(queue);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var rows = await context.Get<ErrorArchive>().ListAsync(parse.GetValue(queue), ct);
            output.Result(new { messages = rows }, console => console.Write(ArchivedTable(rows, showIds: true)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Restore()
    {
        var ids = new Argument<long[]>("id") { Description = "Archive ids (see 'busctl errors archived')", Arity = ArgumentArity.OneOrMore };
        var command = new Command("restore", "Put archived messages back into their error queue, byte for byte (confirmed before the archive row is deleted)");
        command.Arguments.Add(ids);
        command.Options.Add(By);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var wanted = parse.GetValue(ids) ?? [];
            if (wanted.Any(i => i < 1)) throw new CliUsageException("archive ids are positive numbers (see 'busctl errors archived')");
            var restored = await context.Get<ErrorArchive>().RestoreAsync(wanted, Actor(parse), ct);
            output.Result(new { restored }, console =>
            {
                foreach (var r in restored) console.WriteLine(TerminalText.Clean($"restored archive id {r.Id} (message {r.MessageId}) to {r.Queue}"));
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command PurgeArchive()
    {
        var command = new Command("purge-archive", "Delete archived messages older than Bus:Operations:ArchiveRetentionDays");
        command.Options.Add(By);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var report = await context.Get<ErrorArchive>().PurgeAsync(Actor(parse), ct);
            output.Result(report, console => console.WriteLine($"deleted {report.Deleted} archived message(s) archived before {report.Cutoff:O} ({report.RetentionDays} days)"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void AddSelectors(Command command)
    {
        command.Arguments.Add(Queue);
        command.Options.Add(MessageIds);
        command.Options.Add(All);
        command.Options.Add(ExceptionType);
        command.Options.Add(MessageType);
        command.Options.Add(DryRun);
        command.Options.Add(By);
    }

    private static MessageSelector Selector(ParseResult parse)
    {
        try
        {
            return MessageSelector.Create(parse.GetValue(MessageIds), parse.GetValue(All), parse.GetValue(ExceptionType), parse.GetValue(MessageType));
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException(e.Message);
        }
    }

    private static List<Guid> MissingIds(MessageSelector selector, IEnumerable<string?> found)
    {
        var seen = found.Select(f => Guid.TryParse(f, out var g) ? g : Guid.Empty).ToHashSet();
        return selector.MessageIds.Where(id => !seen.Contains(id)).ToList();
    }

    private static string Actor(ParseResult parse) =>
        parse.GetValue(By) is { Length: > 0 } by ? by : Environment.UserName;

    private static Table ArchivedTable(IEnumerable<ArchivedSummary> rows, bool showIds)
    {
        var table = new Table().AddColumns("Id", "Queue", "Message id", "Message type", "Exception type", "Failed at", "Archived at", "By", "Bytes");
        foreach (var r in rows)
            table.AddRow(showIds ? r.Id.ToString() : "-", TerminalText.Markup(r.Queue), TerminalText.Markup(r.MessageId ?? ""), TerminalText.Markup(r.MessageType ?? ""),
                TerminalText.Markup(r.ExceptionType ?? ""), OperationsCommandSupport.Time(r.FaultTimestamp), OperationsCommandSupport.Time(r.ArchivedAt), TerminalText.Markup(r.ArchivedBy), r.BodyBytes.ToString());
        return table;
    }
}
