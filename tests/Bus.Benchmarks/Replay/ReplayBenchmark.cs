using System.Diagnostics;
using Bus.IntegrationTests.Support;
using Bus.Operations;
using Bus.Operations.Database;
using Bus.Operations.ErrorQueues;
using Bus.Platform;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;

namespace Bus.Benchmarks.Replay;

/// <summary>
/// Error-queue replay (goal at least 1,000 messages/s, docs/benchmarks.md): fills an error queue with
/// faulted messages, replays them all with the service <c>busctl errors replay --all</c> runs
/// (<see cref="ErrorQueueService.ReplayAsync"/>: scan, publish with broker confirms, acknowledge,
/// audit rows in PostgreSQL), then checks that every message arrived exactly once in its queue and
/// the error queue is empty. Runs in a virtual host of its own, which it deletes afterwards.
/// </summary>
public sealed class ReplayBenchmark : IBenchmark
{
    private const int DefaultMessages = 20_000;

    public string Name => "replay";
    public string Description => $"busctl errors replay --all of {DefaultMessages:N0} MassTransit-faulted messages, messages/s (goal >= 1,000), checked lossless";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) && n > 0 ? n : DefaultMessages;
        var vhost = await TemporaryVirtualHost.CreateAsync();
        try
        {
            return await RunInAsync(vhost, count, cancellationToken);
        }
        finally
        {
            // A busy management API must not hide what the run printed or threw.
            try { await vhost.DisposeAsync(); }
            catch (Exception e) { Console.Error.WriteLine($"warning: could not delete virtual host {vhost.Name}: {e.Message}"); }
        }
    }

    private static async Task<int> RunInAsync(TemporaryVirtualHost vhost, int count, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder()
            .AddConfiguration(BusConfiguration.Build())
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bus:RabbitMq:VirtualHost"] = vhost.Name })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = "Test", ApplicationName = "bench-replay" });
        services.AddLogging();
        services.AddBusPlatform(configuration);
        services.AddBusOperations(configuration);
        await using var provider = services.BuildServiceProvider();
        await provider.GetServices<Bus.Platform.Database.IDatabaseModule>().OfType<OperationsDatabaseModule>().Single().MigrateAsync(cancellationToken);
        var rabbit = provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
        var batchSize = provider.GetRequiredService<IOptions<OperationsOptions>>().Value.ReplayBatchSize;
        var queue = $"bench-replay-{Environment.ProcessId}-copy";
        var errorQueue = queue + "_error";
        try
        {
            var template = await FaultTemplate.CaptureAsync(rabbit, queue, cancellationToken);
            var factory = new ConnectionFactory { HostName = rabbit.Host, Port = rabbit.Port, VirtualHost = rabbit.VirtualHost, UserName = rabbit.Username, Password = rabbit.Password, ClientProvidedName = "bench-replay" };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            var ids = await FillAsync(connection, errorQueue, template, count, cancellationToken);

            var load = LoadAverage();
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var report = await provider.GetRequiredService<ErrorQueueService>().ReplayAsync(errorQueue, MessageSelector.Create(null, true, null, null), false, "bench-replay", cancellationToken);
            clock.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - before;
            var rate = count / clock.Elapsed.TotalSeconds;

            var check = await CheckAsync(connection, provider.GetRequiredService<NpgsqlDataSource>(), queue, errorQueue, ids, report, cancellationToken);
            Console.WriteLine($"""

                ## Error-queue replay

                `make bench-replay` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC): {count:N0} faulted messages in one error queue, replayed with
                `ErrorQueueService.ReplayAsync` (what `busctl errors replay {errorQueue} --all` runs): scan, publish each copy
                to `{queue}` with broker confirms, {batchSize} copies per batch (`Bus:Operations:ReplayBatchSize`), acknowledge each
                original only after its copy's confirm, audit rows in PostgreSQL.
                The messages: one real MassTransit fault (a consumer of `{nameof(FaultTemplate.CopyToPreservation)}` threw, no retry;
                {template.HeaderNames.Count} headers: {string.Join(", ", template.HeaderNames)}; {template.BodyBytes:N0}-byte envelope),
                copied {count:N0} times with fresh MessageIds, persistent, in a durable classic queue.

                | replayed | failed | time | messages/s | busctl-side CPU | load average before |
                |---|---|---|---|---|---|
                | {report.Replayed:N0} | {report.Failed:N0} | {clock.Elapsed.TotalSeconds:F2} s | **{rate:N0}** | {cpu.TotalSeconds:F1} s | {load} |

                Check: {check.Text}

                Machine: {Machine.Describe()}
                """);
            if (!check.Ok) return 1;
            return rate >= 1000 ? 0 : 1;
        }
        finally
        {
            // The audit rows of this run (its queue name is its own) are benchmark output, not history.
            await using var delete = provider.GetRequiredService<NpgsqlDataSource>().CreateCommand("DELETE FROM bus.error_audit WHERE queue = $1");
            delete.Parameters.Add(new() { Value = errorQueue });
            await delete.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<List<Guid>> FillAsync(IConnection connection, string errorQueue, FaultTemplate template, int count, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var ids = new List<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            var id = NewId.NextGuid();
            var (properties, body) = template.Copy(id);
            await channel.BasicPublishAsync("", errorQueue, mandatory: false, properties, body, cancellationToken);
            ids.Add(id);
        }
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken)).MessageCount < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{errorQueue} never held {count} messages");
            await Task.Delay(100, cancellationToken);
        }
        return ids;
    }

    private static async Task<(bool Ok, string Text)> CheckAsync(IConnection connection, NpgsqlDataSource database, string queue, string errorQueue,
        List<Guid> ids, ReplayReport report, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var left = (await channel.QueueDeclarePassiveAsync(errorQueue, cancellationToken)).MessageCount;
        var arrived = new List<Guid>();
        while (await channel.BasicGetAsync(queue, autoAck: true, cancellationToken) is { } got)
            arrived.Add(Guid.Parse(got.BasicProperties.MessageId!));
        var distinct = arrived.ToHashSet();
        var missing = ids.Count(id => !distinct.Contains(id));
        var duplicates = arrived.Count - distinct.Count;
        var expected = ids.ToHashSet();
        var strangers = distinct.Count(id => !expected.Contains(id));
        var inOrder = arrived.SequenceEqual(ids);
        await using var audit = database.CreateCommand("SELECT outcome, count(*) FROM bus.error_audit WHERE queue = $1 GROUP BY outcome ORDER BY outcome");
        audit.Parameters.Add(new() { Value = errorQueue });
        var outcomes = new List<string>();
        await using (var reader = await audit.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) outcomes.Add($"{reader.GetString(0)} {reader.GetInt64(1):N0}");
        var ok = left == 0 && missing == 0 && duplicates == 0 && strangers == 0 && report.Replayed == ids.Count && report.Failed == 0;
        return (ok, $"{(ok ? "passed" : "FAILED")}: error queue holds {left} messages; `{queue}` received {arrived.Count:N0} messages, "
            + $"{distinct.Count:N0} distinct MessageIds, {missing} of the {ids.Count:N0} missing, {duplicates} duplicates, {strangers} unknown, "
            + $"{(inOrder ? "in the error queue's order" : "NOT in the error queue's order")}; audit rows: {string.Join(", ", outcomes)}.");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
