using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Bus.Cli.Output;
using Bus.Operations;
using Bus.Operations.ErrorQueues;
using Bus.Operations.Outbox;
using Bus.Operations.Sagas;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>busctl sagas: saga state from the admin views bus.saga_status / bus.saga_stuck (docs/operations.md).</summary>
public static class SagasCommands
{
    private static readonly Option<string> Type = new("--type") { Description = "Only this saga type (e.g. fixity, deletion)" };
    private static readonly Option<string> State = new("--state") { Description = "Only sagas in this state (e.g. Faulted)" };
    private static readonly Option<string> Stuck = new("--stuck") { Description = "Only non-terminal sagas with no transition for longer than this (30s, 90m, 2h, 1d or hh:mm:ss)" };

    public static Command Create()
    {
        var sagas = new Command("sagas", "Saga state for admins: every saga of every type, stuck sagas, one saga's history");
        sagas.Subcommands.Add(List());
        sagas.Subcommands.Add(Show());
        sagas.Subcommands.Add(Watch());
        return sagas;
    }

    private static void AddFilters(Command command)
    {
        command.Options.Add(Type);
        command.Options.Add(State);
        command.Options.Add(Stuck);
    }

    private static Task<IReadOnlyList<SagaStatusRow>> QueryAsync(ParseResult parse, CliContext context, CancellationToken ct) =>
        context.Get<SagaStatusStore>().ListAsync(parse.GetValue(Type), parse.GetValue(State),
            parse.GetValue(Stuck) is { } raw ? ParseDuration(raw) : null, null, ct);

    private static Command List()
    {
        var command = new Command("list", "Sagas from bus.saga_status (or bus.saga_stuck with --stuck), most recently changed first");
        AddFilters(command);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var sagas = await QueryAsync(parse, context, ct);
            output.Result(new { sagas }, console => console.Write(Table(sagas)));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("correlationId") { Description = "The saga's correlation id (GUID)" };
        var command = new Command("show", "One saga: state, every transition, pending scheduled messages, related messages in error queues and parked in the outbox");
        command.Arguments.Add(id);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            var raw = parse.GetValue(id)!;
            if (!Guid.TryParse(raw, out var correlationId)) throw new CliUsageException($"'{raw}' is not a correlation id (expected a GUID)");
            var store = context.Get<SagaStatusStore>();
            var sagas = await store.FindAsync(correlationId, ct);
            var transitions = await store.TransitionsAsync(correlationId, ct);
            if (sagas.Count == 0 && transitions.Count == 0) return output.Fail(ExitCodes.Negative, $"no saga with correlation id {correlationId}");
            var scheduled = await store.ScheduledAsync(correlationId, ct);
            var errors = (await context.Get<ErrorQueueService>().FindByCorrelationAsync(correlationId, ct))
                .Select(e => new { queue = e.Queue, e.Message.MessageId, e.Message.MessageTypes, e.Message.ExceptionType, e.Message.ExceptionMessage, e.Message.FaultTimestamp })
                .ToList();
            var parkedOutbox = await context.Get<ParkedOutbox>().ForCorrelationAsync(correlationId, ct);
            output.Result(new { correlationId, sagas, transitions, scheduled, errorMessages = errors, parkedOutbox }, console =>
            {
                if (sagas.Count == 0) console.WriteLine("(saga row gone: finished and removed; history below)");
                else console.Write(Table(sagas));
                var t = new Table().AddColumns("#", "At", "From", "To", "Event", "Message id", "Host");
                foreach (var r in transitions)
                    t.AddRow(r.Id.ToString(), OperationsCommandSupport.Time(r.OccurredAt), TerminalText.Markup(r.FromState ?? ""), TerminalText.Markup(r.ToState), TerminalText.Markup(r.Event ?? ""),
                        r.MessageId?.ToString() ?? "", TerminalText.Markup(r.Host));
                console.Write(new Rule("Transitions").LeftJustified());
                console.Write(t);
                console.Write(new Rule("Pending scheduled messages").LeftJustified());
                if (scheduled.Count == 0) console.WriteLine("(none)");
                foreach (var s in scheduled) console.WriteLine(TerminalText.Clean($"due {OperationsCommandSupport.Time(s.DueAt)}: {s.MessageType} to {s.DestinationAddress} (token {s.TokenId})"));
                console.Write(new Rule("Messages in error queues").LeftJustified());
                if (errors.Count == 0) console.WriteLine("(none)");
                foreach (var e in errors)
                    console.WriteLine(TerminalText.Clean($"{e.queue}: {e.MessageId} {e.ExceptionType}: {e.ExceptionMessage} (busctl errors show {e.queue} --message-id {e.MessageId})"));
                console.Write(new Rule("Parked outbox messages").LeftJustified());
                if (parkedOutbox.Count == 0) console.WriteLine("(none)");
                foreach (var p in parkedOutbox)
                    console.WriteLine(TerminalText.Clean($"{p.MessageType} to {p.DestinationAddress} ({p.Bytes} bytes): {p.Reason} (busctl outbox retry|discard {p.OutboxId})"));
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Watch()
    {
        var command = new Command("watch", "A live table of sagas refreshing every 2 seconds until Ctrl-C (--json: one snapshot)");
        AddFilters(command);
        command.SetOperationsAction(async (parse, context, output, ct) =>
        {
            if (output.Json)
            {
                var snapshot = await QueryAsync(parse, context, ct);
                output.Result(new { sagas = snapshot }, _ => { });
                return ExitCodes.Success;
            }
            // Ctrl-C cancels ct (System.CommandLine); that is the normal way out, not an error.
            try
            {
                // Most recently changed first; crop the bottom when the table is taller than the terminal.
                await output.Console.Live(Table(await QueryAsync(parse, context, ct)))
                    .Overflow(VerticalOverflow.Ellipsis).Cropping(VerticalOverflowCropping.Bottom).StartAsync(async live =>
                {
                    while (!ct.IsCancellationRequested)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(2), ct);
                        live.UpdateTarget(Table(await QueryAsync(parse, context, ct)));
                    }
                });
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Table Table(IReadOnlyList<SagaStatusRow> rows)
    {
        var table = new Table().AddColumns("Type", "Correlation id", "Business key", "State", "Since", "Updated", "Attempts", "Last error", "Stuck for");
        foreach (var r in rows)
            table.AddRow(TerminalText.Markup(r.SagaType), r.CorrelationId.ToString(), TerminalText.Markup(r.BusinessKey ?? ""),
                TerminalText.Markup(r.CurrentState) + (r.Terminal ? "" : " [yellow]*[/]"), OperationsCommandSupport.Time(r.StateSince), OperationsCommandSupport.Time(r.UpdatedAt),
                r.Attempts?.ToString() ?? "", TerminalText.Markup(r.LastError ?? ""), r.StuckFor?.ToString(@"d\.hh\:mm\:ss") ?? "");
        table.Caption($"{rows.Count} saga(s); * = not in a terminal state; at {OperationsCommandSupport.Time(DateTimeOffset.UtcNow)}");
        return table;
    }

    /// <summary>30s, 90m, 2h, 1d, or a TimeSpan (hh:mm:ss).</summary>
    internal static TimeSpan ParseDuration(string raw)
    {
        var text = raw.Trim();
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            TimeSpan? value = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(n), 'm' => TimeSpan.FromMinutes(n), 'h' => TimeSpan.FromHours(n), 'd' => TimeSpan.FromDays(n), _ => null,
            };
            if (value is { } v) return v;
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        throw new CliUsageException($"--stuck '{raw}' is not a duration (e.g. 30s, 90m, 2h, 1d, 01:30:00)");
    }
}
