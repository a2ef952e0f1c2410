using System.CommandLine;
using Bus.Cli.Output;
using Bus.Contracts.Restore;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Restore;
using Bus.Restore.Data;
using Bus.Restore.StateMachines;
using MassTransit;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>
/// busctl restore object | file | list | show. Requests go over the bus to the restore saga (as <c>fixity check</c>
/// does) and results are read from the saga's table: an operator's tool on the deployment's own broker and
/// database. Depositors use the HTTP API (<c>POST /api/v1/restores</c>).
/// </summary>
public static class RestoreCommands
{
    public static Command Create()
    {
        var restore = new Command("restore", "Restore an object (BagIt tar) or a file into the restore bucket, every byte verified");
        restore.Subcommands.Add(Request("object", "Restore an object as a BagIt tar in its original profile, with a PREMIS events file", isFile: false));
        restore.Subcommands.Add(Request("file", "Restore one file to <institution>/files/<path>", isFile: true));
        restore.Subcommands.Add(List());
        restore.Subcommands.Add(Show());
        return restore;
    }

    private static Command Request(string name, string description, bool isFile)
    {
        var identifier = new Argument<string>("identifier") { Description = isFile ? "File identifier (institution/bag/path)" : "Object identifier (institution/bag)" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the outcome: exit 0 restored and verified, 1 failed (or still running at --timeout)" };
        var timeout = new Option<int>("--timeout") { Description = "With --wait: seconds to wait", DefaultValueFactory = _ => 3600 };
        var command = new Command(name, description) { identifier, wait, timeout };
        command.SetBusAction((parse, context, output, ct) => Guarded(output, async () =>
        {
            var id = parse.GetValue(identifier)!.Trim();
            if (!Identifiers.TryParse(id, out var parsed, out var error)) throw new CliUsageException(error);
            if (parsed.IsFile != isFile)
                throw new CliUsageException(isFile ? $"'{id}' is an object identifier: use 'restore object'" : $"'{id}' is a file identifier: use 'restore file'");
            var seconds = parse.GetValue(timeout);
            if (seconds is < 1 or > 7 * 86_400) throw new CliUsageException($"--timeout must be 1-604800 seconds (got {seconds})");

            var restoreId = NewId.NextGuid();
            await using (var bus = await CliBus.StartAsync(context.Options<RabbitMqOptions>(), ct))
            {
                var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{RestoreEndpoints.Saga}"));
                object message = isFile
                    ? new RestoreFile(restoreId, id, RequestedBy(), DateTimeOffset.UtcNow)
                    : new RestoreObject(restoreId, id, RequestedBy(), DateTimeOffset.UtcNow);
                await endpoint.Send(message, ct);
            }
            var records = context.Get<RestoreRecords>();
            var deadline = DateTime.UtcNow + (parse.GetValue(wait) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(10));
            RestoreView? view;
            // Without --wait: until the saga has the request (a few seconds), so the id printed can be shown.
            while ((view = await records.FindAsync(restoreId, ct)) is null || (parse.GetValue(wait) && !view.Ended))
            {
                if (DateTime.UtcNow > deadline) break;
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
            if (view is null)
            {
                output.Result(new { restoreId, identifier = id, state = "Sent" }, c => c.MarkupLine($"restore {restoreId} sent; no host running the restore role has taken it yet"));
                return parse.GetValue(wait) ? ExitCodes.Negative : ExitCodes.Success;
            }
            output.Result(View(view), c => Render(c, [view]));
            if (!parse.GetValue(wait)) return ExitCodes.Success;
            if (!view.Ended) output.Warn($"restore {restoreId} is still {view.State} after {seconds} s");
            return view.Succeeded ? ExitCodes.Success : ExitCodes.Negative;
        }));
        return command;
    }

    private static Command List()
    {
        var institution = new Option<string>("--institution") { Description = "Only this institution's restores" };
        var state = new Option<string>("--state") { Description = "Only restores in this state: " + string.Join(", ", RestoreStateMachine.StateNames) };
        var limit = new Option<int>("--limit") { Description = "At most this many (newest first)", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "Restores, newest first") { institution, state, limit };
        command.SetBusAction((parse, context, output, ct) => Guarded(output, async () =>
        {
            var n = parse.GetValue(limit);
            if (n is < 1 or > 10_000) throw new CliUsageException($"--limit must be 1-10000 (got {n})");
            var s = parse.GetValue(state);
            if (s is not null && !RestoreStateMachine.StateNames.Contains(s))
                throw new CliUsageException($"unknown state '{s}': expected one of {string.Join(", ", RestoreStateMachine.StateNames)}");
            var rows = await context.Get<RestoreRecords>().ListAsync(parse.GetValue(institution), s, n, null, ct);
            output.Result(new { restores = rows.Select(View) }, c => Render(c, rows));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<Guid>("restore-id") { Description = "The restore id" };
        var command = new Command("show", "One restore: state, result (bucket and key) or reason") { id };
        command.SetBusAction((parse, context, output, ct) => Guarded(output, async () =>
        {
            var view = await context.Get<RestoreRecords>().FindAsync(parse.GetValue(id), ct);
            if (view is null) return output.Fail(ExitCodes.Negative, $"no restore {parse.GetValue(id)}");
            output.Result(View(view), c => Render(c, [view]));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static object View(RestoreView v) => new
    {
        v.RestoreId, v.Kind, v.Identifier, v.Institution, state = v.State, v.RequestedBy, v.RequestedAt,
        v.Bucket, v.Key, v.Size, v.Files, v.ColdPending, reason = v.FailureReason, v.FinishedAt, verified = v.Succeeded,
    };

    private static void Render(IAnsiConsole console, IReadOnlyList<RestoreView> rows)
    {
        var table = new Table().AddColumns("Restore", "Identifier", "State", "Result");
        foreach (var r in rows)
            table.AddRow(r.RestoreId.ToString(), TerminalText.Markup(r.Identifier), TerminalText.Markup(r.State),
                TerminalText.Markup(r.Succeeded ? $"{r.Bucket}/{r.Key} ({r.Size} bytes, verified)" : r.FailureReason ?? ""));
        console.Write(table);
    }

    private static async Task<int> Guarded(CliOutput output, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return output.Fail(ExitCodes.UsageOrConnection, $"restore tables are missing ({e.MessageText}): run 'busctl db migrate'");
        }
        catch (NpgsqlException e)
        {
            return output.Fail(ExitCodes.UsageOrConnection, $"database: {e.Message}");
        }
        catch (Exception e) when (e is RabbitMqConnectionException or BrokerUnreachableException or MassTransitException)
        {
            return output.Fail(ExitCodes.UsageOrConnection, $"cannot connect to RabbitMQ: {e.Message}");
        }
    }

    private static string RequestedBy() => $"busctl@{Environment.UserName}";
}
