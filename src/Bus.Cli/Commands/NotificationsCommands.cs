using System.CommandLine;
using Bus.Cli.Output;
using Bus.Notifications;
using Bus.Notifications.Data;
using Bus.Notifications.Messages;
using Bus.Platform.Options;
using MassTransit;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using Spectre.Console;

namespace Bus.Cli.Commands;

/// <summary>
/// busctl notifications list | resend: the deliveries of alerts and workflow outcomes (docs/operations.md). An operator's
/// tool on the deployment's own database and broker, like <c>spot-tests</c>: list reads the delivery table; resend
/// sends <see cref="ResendNotification"/> to the notify role, whose consumer re-checks that the delivery is still failed.
/// </summary>
public static class NotificationsCommands
{
    public static Command Create()
    {
        var notifications = new Command("notifications", "Deliveries of notifications (webhooks and email): list them, resend a failed one");
        notifications.Subcommands.Add(List());
        notifications.Subcommands.Add(Resend());
        return notifications;
    }

    private static Command List()
    {
        var state = new Option<string>("--state") { Description = "Only deliveries in this state: pending, delivered or failed" };
        var institution = new Option<string>("--institution") { Description = "Only this institution's notifications" };
        var limit = new Option<int>("--limit") { Description = "At most this many (most recently changed first)", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "Deliveries, most recently changed first: kind, about, channel, recipient, state, attempts, last error")
        {
            state, institution, limit,
        };
        command.SetBusAction((parse, context, output, ct) => Guarded(output, async () =>
        {
            var s = parse.GetValue(state)?.Trim().ToLowerInvariant();
            if (s is not null && !NotificationRecords.States.Contains(s))
                throw new CliUsageException($"--state must be one of {string.Join(", ", NotificationRecords.States)} (got '{s}')");
            var n = parse.GetValue(limit);
            if (n is < 1 or > 10_000) throw new CliUsageException($"--limit must be 1-10000 (got {n})");
            var rows = await Records(context).ListAsync(s, parse.GetValue(institution)?.Trim().ToLowerInvariant(), n, ct);
            output.Result(new { deliveries = rows }, c => Render(c, rows));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Resend()
    {
        var id = new Argument<Guid>("id") { Description = "Delivery id (busctl notifications list --state failed)" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the outcome: exit 0 delivered, 1 failed again (or not settled at --timeout)" };
        var timeout = new Option<int>("--timeout") { Description = "With --wait: seconds to wait", DefaultValueFactory = _ => 600 };
        var command = new Command("resend", "Attempt a failed delivery again, with a fresh round of attempts (exit 1 when it is not failed)") { id, wait, timeout };
        command.SetBusAction((parse, context, output, ct) => Guarded(output, async () =>
        {
            var deliveryId = parse.GetValue(id);
            var seconds = parse.GetValue(timeout);
            if (seconds is < 1 or > 86_400) throw new CliUsageException($"--timeout must be 1-86400 seconds (got {seconds})");
            var records = Records(context);
            var before = await records.FindAsync(deliveryId, ct);
            if (before is null) return output.Fail(ExitCodes.Negative, $"no delivery {deliveryId}");
            if (before.Status != "failed") return output.Fail(ExitCodes.Negative, $"delivery {deliveryId} is {before.Status}, not failed: nothing to resend");

            await using (var bus = await CliBus.StartAsync(context.Options<RabbitMqOptions>(), ct))
            {
                var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{NotificationEndpoints.Deliver}"));
                await endpoint.Send(new ResendNotification(deliveryId, $"busctl@{Environment.UserName}"), ct);
            }
            if (!parse.GetValue(wait))
            {
                output.Result(new { deliveryId, state = "Sent" }, c => c.MarkupLine($"resend of delivery {deliveryId} sent to the notify role"));
                return ExitCodes.Success;
            }
            // Settled: the consumer has changed the row (updated_at) and it is no longer pending.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
            DeliveryView? now;
            while ((now = await records.FindAsync(deliveryId, ct)) is not null && (now.UpdatedAt == before.UpdatedAt || now.Status == "pending"))
            {
                if (DateTime.UtcNow > deadline) break;
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
            if (now is null) return output.Fail(ExitCodes.Negative, $"delivery {deliveryId} is gone (its notification passed Bus:Notifications:Retention)");
            output.Result(now, c => Render(c, [now]));
            if (now.UpdatedAt == before.UpdatedAt) output.Warn($"no notify host has taken the resend of {deliveryId} within {seconds} s");
            else if (now.Status == "pending") output.Warn($"delivery {deliveryId} is still being retried after {seconds} s");
            return now.Status == "delivered" ? ExitCodes.Success : ExitCodes.Negative;
        }));
        return command;
    }

    private static NotificationRecords Records(CliContext context) => new(context.Get<NpgsqlDataSource>());

    private static void Render(IAnsiConsole console, IReadOnlyList<DeliveryView> rows)
    {
        var table = new Table().AddColumns("Delivery", "Kind", "About", "Channel", "Recipient", "State", "Attempts", "Last error");
        foreach (var r in rows)
            table.AddRow(r.DeliveryId.ToString(), TerminalText.Markup(r.Kind), TerminalText.Markup(r.Identifier ?? r.Institution ?? ""), r.Channel,
                TerminalText.Markup(r.Target), r.Status, r.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), TerminalText.Markup(r.LastError ?? ""));
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
            return output.Fail(ExitCodes.UsageOrConnection, $"notification tables are missing ({e.MessageText}): run 'busctl db migrate'");
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
