using System.CommandLine;
using System.Text.Json;
using Bus.Cli.Api;
using Bus.Cli.Output;
using Bus.Contracts.Fixity;
using Bus.Fixity;
using Bus.Fixity.Data;
using Bus.Fixity.Sweep;
using Bus.Platform.Options;
using Bus.Registry;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>busctl fixity check | sweep | status.</summary>
public static class FixityCommands
{
    public static Command Create()
    {
        var fixity = new Command("fixity", "Fixity checks of preservation copies, with automatic repair from a good copy");
        fixity.Subcommands.Add(Check());
        fixity.Subcommands.Add(Sweep());
        fixity.Subcommands.Add(Status());
        return fixity;
    }

    private static Command Check()
    {
        var file = new Option<string>("--file") { Description = "File identifier (institution/bag/data/path): check its copies" };
        var obj = new Option<string>("--object") { Description = "Object identifier (institution/bag): check every copy of every file" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the outcomes. Exit 0 when every copy is intact or repaired, 1 when any is lost or failed" };
        var timeout = new Option<int>("--timeout") { Description = "With --wait: seconds to wait before giving up (exit 1)", DefaultValueFactory = _ => 3600 };
        var tokenFile = ApiCommandRunner.TokenFileOption();
        var command = new Command("check", "Queue a fixity check of each copy of a file or object, through the API as the token's user (institutional admins)")
        {
            file, obj, wait, timeout, tokenFile,
        };
        command.SetApiAction(async (parse, api, output, ct) =>
        {
            var (identifier, isFile) = (parse.GetValue(file), parse.GetValue(obj)) switch
            {
                ({ } f, null) => (f.Trim(), true),
                (null, { } o) => (o.Trim(), false),
                _ => throw new CliUsageException("give exactly one of --file <identifier> or --object <identifier>"),
            };
            if (!Identifiers.TryParse(identifier, out var parsed, out var error)) throw new CliUsageException(error);
            if (parsed.IsFile != isFile)
                throw new CliUsageException(isFile ? $"'{identifier}' is an object identifier: use --object" : $"'{identifier}' is a file identifier: use --file");
            var seconds = parse.GetValue(timeout);
            if (seconds is < 1 or > 86_400) throw new CliUsageException($"--timeout must be 1-86400 seconds (got {seconds})");

            var started = await api.PostAsync("fixity-checks", new { identifier }, ct);
            var queued = started.GetProperty("checks").EnumerateArray()
                .Select(c => (Id: c.GetProperty("checkId").GetGuid(), File: c.Text("fileIdentifier"), Bucket: c.Text("bucket"), InFlight: c.GetProperty("alreadyInFlight").GetBoolean()))
                .ToList();
            if (!parse.GetValue(wait))
            {
                var checks = queued.Select(c => new { checkId = c.Id, fileIdentifier = c.File, bucket = c.Bucket, outcome = c.InFlight ? "already in flight" : "queued" }).ToList();
                output.Result(new { identifier, checks }, console =>
                {
                    var table = new Table().AddColumns("Check", "File", "Bucket", "Outcome");
                    foreach (var c in checks)
                        table.AddRow(c.checkId.ToString(), TerminalText.Markup(c.fileIdentifier), TerminalText.Markup(c.bucket), c.outcome);
                    console.Write(table);
                });
                return ExitCodes.Success;
            }

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
            var results = new Dictionary<Guid, JsonElement>();
            while (true)
            {
                foreach (var c in queued.Where(c => !results.TryGetValue(c.Id, out var r) || r.Text("completedAt").Length == 0))
                    results[c.Id] = await api.GetAsync($"fixity-checks/{c.Id}", ct);
                if (results.Values.All(r => r.Text("completedAt").Length > 0) || DateTime.UtcNow >= deadline) break;
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
            var rows = queued.Select(c => results[c.Id]).ToList();
            var good = rows.All(r => r.Text("outcome") is { Length: > 0 } o && FixityOutcomes.IsGood(o));
            var views = rows.Select(r => new
            {
                checkId = r.Text("checkId"), fileIdentifier = r.Text("fileIdentifier"), bucket = r.Text("bucket"), requestedBy = r.Text("requestedBy"),
                outcome = r.Text("outcome") is { Length: > 0 } o ? o : "in-flight", detail = r.Text("detail"), completedAt = r.Text("completedAt"),
            }).ToList();
            output.Result(new { identifier, allGood = good, checks = views }, console =>
            {
                var table = new Table().AddColumns("Check", "File", "Bucket", "Outcome", "Detail");
                foreach (var v in views)
                    table.AddRow(v.checkId, TerminalText.Markup(v.fileIdentifier), TerminalText.Markup(v.bucket), TerminalText.Markup(v.outcome), TerminalText.Markup(v.detail));
                console.Write(table);
            });
            if (views.Any(v => v.outcome == "in-flight")) output.Warn($"checks still in flight after {seconds} s: is a host running the fixity role?");
            return good ? ExitCodes.Success : ExitCodes.Negative;
        });
        return command;
    }

    private static Command Sweep()
    {
        var olderThan = new Option<string>("--older-than") { Description = "Check copies last checked longer ago than this (e.g. 90d, 12h, 30m, 0s; default Bus:Fixity:CheckInterval)" };
        var limit = new Option<int?>("--limit") { Description = "Queue at most this many checks (default Bus:Fixity:MaxPerSweep)" };
        var command = new Command("sweep", "Run one fixity sweep now: queue a check of every copy due") { olderThan, limit };
        command.SetBusAction((parse, context, output, ct) => Guarded(output, async () =>
        {
            TimeSpan? age = parse.GetValue(olderThan) is { } text
                ? (Durations.TryParse(text, out var d) ? d : throw new CliUsageException($"--older-than '{text}' is not a duration: use a number with d, h, m or s, e.g. 90d"))
                : null;
            var max = parse.GetValue(limit);
            if (max is < 1) throw new CliUsageException($"--limit must be at least 1 (got {max})");
            await using var bus = await CliBus.StartAsync(context.Options<RabbitMqOptions>(), ct);
            var sweeper = new FixitySweeper(context.Get<RegistryFixityStore>(), context.Get<CheckLedger>(), bus.Bus,
                context.Get<IOptions<FixityOptions>>(), TimeProvider.System);
            var result = await sweeper.RunAsync(age, max, RequestedBy(), ct);
            output.Result(result, console => console.MarkupLine(
                $"sweep {result.RunId}: {result.Claimed} copies due (last checked before {result.CheckedBefore:u}), {result.Queued} checks queued"));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "Checks in flight, outcomes of the last day, the last sweep and recent failures");
        command.SetBusAction((_, context, output, ct) => Guarded(output, async () =>
        {
            var status = await context.Get<CheckLedger>().StatusAsync(ct);
            output.Result(new
            {
                status.InFlight, status.IntactLastDay, status.RepairedLastDay, status.LostLastDay, status.FailedLastDay, status.LastSweep,
                recentFailures = status.RecentFailures.Select(View),
            }, console =>
            {
                console.MarkupLine($"in flight: {status.InFlight}; last 24 h: {status.IntactLastDay} intact, {status.RepairedLastDay} repaired, {status.LostLastDay} lost, {status.FailedLastDay} failed");
                console.MarkupLine(status.LastSweep is { } s
                    ? TerminalText.Markup($"last sweep: {s.StartedAt:u} by {s.Host}, {s.Claimed} due, {s.Queued} queued{(s.FinishedAt is null ? " (running or died)" : "")}{(s.Error is null ? "" : $", error: {s.Error}")}")
                    : "last sweep: never");
                if (status.RecentFailures.Count > 0) Render(console, status.RecentFailures, []);
            });
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<int> Guarded(CliOutput output, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return output.Fail(ExitCodes.UsageOrConnection, $"fixity or registry tables are missing ({e.MessageText}): run 'busctl db migrate'");
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

    private static object View(CheckRow r) => new
    {
        r.CheckId, r.StorageRecordId, r.FileIdentifier, r.Bucket, r.RequestedBy, r.RequestedAt,
        outcome = r.Outcome ?? "in-flight", r.Detail, r.CompletedAt,
    };

    private static void Render(IAnsiConsole console, IReadOnlyList<CheckRow> rows, HashSet<Guid> queuedNow)
    {
        var table = new Table().AddColumns("Check", "File", "Bucket", "Outcome", "Detail");
        foreach (var r in rows)
            table.AddRow(r.CheckId.ToString(), TerminalText.Markup(r.FileIdentifier), TerminalText.Markup(r.Bucket),
                TerminalText.Markup(r.Outcome ?? (queuedNow.Contains(r.CheckId) ? "queued" : "already in flight")), TerminalText.Markup(r.Detail ?? ""));
        console.Write(table);
    }
}

/// <summary>Durations as operators type them: 90d, 12h, 30m, 45s (or a TimeSpan such as 1.00:00:00).</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        if (text.Length >= 2 && double.TryParse(text[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            TimeSpan? d = char.ToLowerInvariant(text[^1]) switch
            {
                'd' => TimeSpan.FromDays(n), 'h' => TimeSpan.FromHours(n), 'm' => TimeSpan.FromMinutes(n), 's' => TimeSpan.FromSeconds(n), _ => null,
            };
            if (d is { } v) { duration = v; return true; }
        }
        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
    }
}
