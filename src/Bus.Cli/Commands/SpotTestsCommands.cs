using System.CommandLine;
using Bus.Cli.Output;
using Bus.Contracts.Restore;
using Bus.Platform.Options;
using Bus.Registry;
using Bus.Registry.Store;
using Bus.Restore.SpotTests;
using MassTransit;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>
/// busctl spot-tests list | run: restore spot tests (docs/restore.md, "Spot tests"). An operator's tool on the
/// deployment's own broker and database, like <c>restore</c> and <c>sagas</c>: run sends <see cref="RunSpotTest"/> to
/// the spot test saga; list reads its table, which is the record of outcomes.
/// </summary>
public static class SpotTestsCommands
{
    public static Command Create()
    {
        var spot = new Command("spot-tests", "Restore spot tests: a random small object restored, validated, compared with the registry and deleted");
        spot.Subcommands.Add(List());
        spot.Subcommands.Add(Run());
        return spot;
    }

    private static Command List()
    {
        var institution = new Option<string>("--institution") { Description = "Only this institution's spot tests" };
        var limit = new Option<int>("--limit") { Description = "At most this many (newest first)", DefaultValueFactory = _ => 50 };
        var command = new Command("list", "Spot tests, newest first: object, started and finished, outcome and reason") { institution, limit };
        command.SetBusAction((parse, context, output, ct) => Guarded(output, async () =>
        {
            var n = parse.GetValue(limit);
            if (n is < 1 or > 10_000) throw new CliUsageException($"--limit must be 1-10000 (got {n})");
            var rows = await context.Get<SpotTestRecords>().ListAsync(parse.GetValue(institution)?.Trim().ToLowerInvariant(), n, ct);
            output.Result(new { spotTests = rows.Select(View) }, c => Render(c, rows));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Run()
    {
        var institution = new Option<string>("--institution") { Description = "The institution whose random small object is restored", Required = true };
        var wait = new Option<bool>("--wait") { Description = "Wait for the outcome: exit 0 passed, 1 failed or skipped (or still running at --timeout)" };
        var timeout = new Option<int>("--timeout") { Description = "With --wait: seconds to wait", DefaultValueFactory = _ => 3600 };
        var command = new Command("run", "Start a spot test of one institution now (the scheduler's sweep starts them every Bus:Restore:SpotTestInterval)")
        {
            institution, wait, timeout,
        };
        command.SetBusAction((parse, context, output, ct) => Guarded(output, async () =>
        {
            var inst = parse.GetValue(institution)!.Trim().ToLowerInvariant();
            if (Identifiers.InstitutionError(inst) is { } error) throw new CliUsageException(error);
            var seconds = parse.GetValue(timeout);
            if (seconds is < 1 or > 7 * 86_400) throw new CliUsageException($"--timeout must be 1-604800 seconds (got {seconds})");
            if (await context.Get<RegistryDatabase>().RunAsync(s => s.FindInstitutionAsync(inst, ct), ct) is null)
                throw new CliUsageException($"no institution '{inst}' is registered");

            var id = NewId.NextGuid();
            await using (var bus = await CliBus.StartAsync(context.Options<RabbitMqOptions>(), ct))
            {
                var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{SpotTestEndpoints.Saga}"));
                await endpoint.Send(new RunSpotTest(id, inst, $"busctl@{Environment.UserName}", DateTimeOffset.UtcNow), ct);
            }
            var records = context.Get<SpotTestRecords>();
            var waiting = parse.GetValue(wait);
            var deadline = DateTime.UtcNow + (waiting ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(10));
            SpotTestView? view;
            while ((view = await records.FindAsync(id, ct)) is null || (waiting && !view.Ended))
            {
                if (DateTime.UtcNow > deadline) break;
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
            if (view is null)
            {
                output.Result(new { spotTestId = id, institution = inst, state = "Sent" }, c => c.MarkupLine($"spot test {id} sent; no host running the restore role has taken it yet"));
                return waiting ? ExitCodes.Negative : ExitCodes.Success;
            }
            output.Result(View(view), c => Render(c, [view]));
            if (!waiting) return ExitCodes.Success;
            if (!view.Ended) output.Warn($"spot test {id} is still {view.State} after {seconds} s");
            return view.Outcome == SpotTestOutcomes.Passed ? ExitCodes.Success : ExitCodes.Negative;
        }));
        return command;
    }

    private static object View(SpotTestView v) => new
    {
        v.SpotTestId, v.Institution, state = v.State, v.RequestedBy, v.StartedAt, @object = v.ObjectIdentifier, v.ObjectBytes,
        v.RestoreBucket, v.RestoreKey, v.Outcome, v.Reason, v.FinishedAt,
    };

    private static void Render(IAnsiConsole console, IReadOnlyList<SpotTestView> rows)
    {
        var table = new Table().AddColumns("Spot test", "Institution", "Object", "Started", "State", "Outcome");
        foreach (var r in rows)
            table.AddRow(r.SpotTestId.ToString(), TerminalText.Markup(r.Institution), TerminalText.Markup(r.ObjectIdentifier ?? ""), r.StartedAt.ToString("u"),
                TerminalText.Markup(r.State), TerminalText.Markup(r.Outcome is null ? "" : r.Reason is null ? r.Outcome : $"{r.Outcome}: {r.Reason}"));
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
            return output.Fail(ExitCodes.UsageOrConnection, $"spot test tables are missing ({e.MessageText}): run 'busctl db migrate'");
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
}
