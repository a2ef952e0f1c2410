using System.Diagnostics;
using Bus.Benchmarks.Saga;
using Bus.Persistence;
using Bus.Persistence.Database;
using Bus.Persistence.Sagas;
using Bus.Platform;
using Bus.Platform.Messaging;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bus.Benchmarks;

/// <summary>
/// Saga events per second on the local RabbitMQ: the PostgreSQL repository with inbox and outbox,
/// beside the same state machine on MassTransit's in-memory repository, in one run; for a realistic
/// event (state change, transition row, one command sent through the outbox and delivered) and for
/// the light one (a counter, no send).
/// </summary>
public sealed class SagaBenchmark : IBenchmark
{
    public const int Consumers = 16;
    private const int Instances = 100;

    /// <summary>
    /// Events per instance sent, on other instances, before the clock starts. A host's first thousands
    /// of messages run tier-0 JIT code until the runtime recompiles the hot paths, and open its connection
    /// pools; a 24/7 service never runs like that again, so the figure is the steady state after them
    /// (the cold rate is printed too).
    /// </summary>
    private const int DefaultWarmUpEventsPerInstance = 100;

    /// <summary>
    /// Same endpoint settings for both repositories: 16 consumers, and a prefetch of twice that, so a
    /// consumer that finishes finds its next message already delivered instead of waiting a broker round
    /// trip for it (with prefetch = consumers every ack gates the next delivery).
    /// </summary>
    public static void Configure(IReceiveEndpointConfigurator endpoint)
    {
        endpoint.ConcurrentMessageLimit = Consumers;
        endpoint.PrefetchCount = Consumers * 2;
    }

    public string Name => "saga";
    public string Description => $"saga events/s: PostgreSQL repository + inbox/outbox vs in-memory ({Instances} instances, {Consumers} consumers)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var eventsPerInstance = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 200;
        var warmUpPerInstance = args.Length > 1 && int.TryParse(args[1], out var w) ? w : DefaultWarmUpEventsPerInstance;
        var total = Instances * eventsPerInstance;
        var postgres = new PostgresOptions();
        await new PersistenceDatabaseModule(Options.Create(postgres)).MigrateAsync(cancellationToken);
        await using (var connection = new NpgsqlConnection(postgres.MigrationConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand(SagaTableMigrations.CreateSagaTableSql(BenchStateMap.Table, ("counter", "integer NOT NULL DEFAULT 0")), connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var inMemory = await MeasureAsync("in-memory", total, eventsPerInstance, warmUpPerInstance,
            (x, q) => x.AddSagaStateMachine<BenchStateMachine, BenchState, InMemoryBenchDefinition>().InMemoryRepository().Endpoint(e => e.Name = q),
            cancellationToken);
        var pg = await MeasureAsync("postgres", total, eventsPerInstance, warmUpPerInstance,
            (x, q) => x.AddSagaStateMachine<BenchStateMachine, BenchState, PostgresBenchDefinition>().PostgresRepository().Endpoint(e => e.Name = q),
            cancellationToken);
        var realInMemory = await MeasureAsync("realistic in-memory", total, eventsPerInstance, warmUpPerInstance,
            (x, q) => x.AddSagaStateMachine<RealisticBenchStateMachine, BenchState, InMemoryBenchDefinition>().InMemoryRepository().Endpoint(e => e.Name = q),
            cancellationToken, realistic: true);
        var realPg = await MeasureAsync("realistic postgres", total, eventsPerInstance, warmUpPerInstance,
            (x, q) => x.AddSagaStateMachine<RealisticBenchStateMachine, BenchState, PostgresBenchDefinition>().PostgresRepository().Endpoint(e => e.Name = q),
            cancellationToken, realistic: true);

        Console.WriteLine();
        Console.WriteLine("## Saga persistence");
        Console.WriteLine();
        Console.WriteLine($"`make bench-saga` ({DateTime.UtcNow:yyyy-MM-dd}): {Instances} instances, {eventsPerInstance} events each ({total} events), " +
            $"{Consumers} concurrent consumers (prefetch {Consumers * 2}), RabbitMQ and PostgreSQL on loopback. Events are sent to the saga's queue while it consumes; " +
            $"the clock starts after a warm-up of {Instances * warmUpPerInstance} events on other instances in the same host and stops when the last event is applied.");
        Console.WriteLine();
        Console.WriteLine("Realistic: every event changes state (a transition row) and sends one command through the outbox; the clock stops when the " +
            "last command is consumed from its queue. Light: the event only increments a counter, changes state on an instance's first event only, sends nothing.");
        Console.WriteLine();
        Console.WriteLine("| event | repository | events/s (steady) | elapsed | warm-up events/s (cold) | CPU-ms per event: this process / its PostgreSQL backends |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| realistic | PostgreSQL (FOR UPDATE, inbox + outbox, transitions) | {realPg.Rate:F0} | {realPg.Elapsed.TotalSeconds:F1} s | {realPg.ColdRate:F0} | {realPg.CpuMs:F2} / {realPg.PgMs:F2} |");
        Console.WriteLine($"| realistic | MassTransit in-memory (sends directly, no outbox) | {realInMemory.Rate:F0} | {realInMemory.Elapsed.TotalSeconds:F1} s | {realInMemory.ColdRate:F0} | {realInMemory.CpuMs:F2} / {realInMemory.PgMs:F2} |");
        Console.WriteLine($"| light | PostgreSQL (FOR UPDATE, inbox + outbox, transitions) | {pg.Rate:F0} | {pg.Elapsed.TotalSeconds:F1} s | {pg.ColdRate:F0} | {pg.CpuMs:F2} / {pg.PgMs:F2} |");
        Console.WriteLine($"| light | MassTransit in-memory | {inMemory.Rate:F0} | {inMemory.Elapsed.TotalSeconds:F1} s | {inMemory.ColdRate:F0} | {inMemory.CpuMs:F2} / {inMemory.PgMs:F2} |");
        Console.WriteLine();
        Console.WriteLine($"Machine: {Machine.Describe()}");
        return realPg.Rate >= 1500 ? 0 : 1;
    }

    /// <summary>For pg_stat_activity only (its one connection counts with this process's backends: a query a second).</summary>
    private static readonly NpgsqlDataSource Monitor = NpgsqlDataSource.Create(new PostgresOptions().ConnectionString);

    private static async Task<(double Rate, TimeSpan Elapsed, double ColdRate, double CpuMs, double PgMs)> MeasureAsync(string label, int total, int eventsPerInstance, int warmUpPerInstance,
        Action<IBusRegistrationConfigurator, string> register, CancellationToken cancellationToken, bool realistic = false)
    {
        var queue = $"bench-saga-{label.Replace(' ', '-')}-{Guid.NewGuid():N}";
        var sink = queue + "-sink";
        RealisticBenchStateMachine.Sink = new Uri($"queue:{sink}");
        // Realistic runs count the commands consumed from the sink (delivered through the outbox), light runs the events applied.
        var applied = new AppliedCounter(realistic ? typeof(BenchCommand) : typeof(BenchEvent));
        var inner = register;
        register = (x, q) =>
        {
            inner(x, q);
            if (realistic) x.AddConsumer<BenchCommandConsumer>().Endpoint(e => { e.Name = sink; e.ConcurrentMessageLimit = Consumers; e.PrefetchCount = Consumers * 4; });
        };
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddBusPlatform(builder.Configuration);
        builder.Services.AddBusPersistence(builder.Configuration);
        builder.Services.AddBusMessaging(x => register(x, queue), (context, cfg) =>
        {
            cfg.UseBusPersistence(context);
            cfg.ConnectConsumeObserver(applied);
        });
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        try
        {
            var bus = host.Services.GetRequiredService<IBus>();
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{queue}"));
            var warmUp = Instances * warmUpPerInstance;
            var cold = await RunRoundsAsync(endpoint, warmUpPerInstance, applied, warmUp, cancellationToken);
            Console.WriteLine($"{label} warm-up: {warmUp} events in {cold.TotalSeconds:F2} s = {warmUp / cold.TotalSeconds:F0} events/s");
            // The PostgreSQL backends serving this process (saga, outbox, delivery, sink), apart from the shared server's other work.
            var backends = new Ingest.HostBackends(Environment.ProcessId, new NpgsqlConnectionStringBuilder(new PostgresOptions().ConnectionString).Port, Monitor);
            await backends.SampleAsync();
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    try { await Task.Delay(1000, sampling.Token); } catch (OperationCanceledException) { break; }
                    await backends.SampleAsync();
                }
            }, CancellationToken.None);
            var load = Ingest.RunMonitor.LoadAverage();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var elapsed = await RunRoundsAsync(endpoint, eventsPerInstance, applied, warmUp + total, cancellationToken);
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            await sampling.CancelAsync();
            await sampler;
            await backends.SampleAsync();
            var pgMs = backends.CpuSeconds * 1000 / total;
            Console.WriteLine($"{label}: {total} events in {elapsed.TotalSeconds:F2} s = {total / elapsed.TotalSeconds:F0} events/s, " +
                $"this process {cpu.TotalMilliseconds / total:F2} CPU-ms per event (sender included), its PostgreSQL backends {pgMs:F2} CPU-ms per event; " +
                $"load average {load:F1} before, {Ingest.RunMonitor.LoadAverage():F1} after");
            return (total / elapsed.TotalSeconds, elapsed, warmUp / cold.TotalSeconds, cpu.TotalMilliseconds / total, pgMs);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
            await DeleteQueueAsync(queue);
            if (realistic) await DeleteQueueAsync(sink);
        }
    }

    /// <summary>Sends events round-robin over fresh instances, five rounds (500 sends) in flight so sending is not what is measured, and waits until <paramref name="appliedTotal"/> are applied.</summary>
    private static async Task<TimeSpan> RunRoundsAsync(ISendEndpoint endpoint, int eventsPerInstance, AppliedCounter applied, int appliedTotal,
        CancellationToken cancellationToken)
    {
        var ids = Enumerable.Range(0, Instances).Select(_ => NewId.NextGuid()).ToArray();
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < eventsPerInstance; round += 5)
            await Task.WhenAll(Enumerable.Range(round, Math.Min(5, eventsPerInstance - round))
                .SelectMany(_ => ids).Select(id => endpoint.Send(new BenchEvent(id), cancellationToken)));
        await applied.WaitForAsync(appliedTotal, cancellationToken);
        return clock.Elapsed;
    }

    private static async Task DeleteQueueAsync(string queue)
    {
        var rabbit = new RabbitMqOptions();
        using var http = new HttpClient { BaseAddress = rabbit.ManagementUri };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{rabbit.Username}:{rabbit.Password}")));
        await http.DeleteAsync($"api/queues/{Uri.EscapeDataString(rabbit.VirtualHost)}/{Uri.EscapeDataString(queue)}");
    }

    /// <summary>Counts messages of one type whose consume completed (after the transaction committed).</summary>
    private sealed class AppliedCounter(Type counted) : IConsumeObserver
    {
        private int _count;

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;
        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message.GetType() == counted) Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

        public async Task WaitForAsync(int total, CancellationToken cancellationToken)
        {
            while (Volatile.Read(ref _count) < total) await Task.Delay(20, cancellationToken);
        }
    }
}
