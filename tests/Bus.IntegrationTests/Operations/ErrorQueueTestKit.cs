using System.Diagnostics;
using System.Text;
using Bus.Operations;
using Bus.Operations.Database;
using Bus.Operations.ErrorQueues;
using Bus.Platform;
using Bus.Platform.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;

namespace Bus.IntegrationTests.Operations;

/// <summary>
/// What the operations scenarios share on the shared local stack: queues with a unique prefix
/// (created here, deleted on dispose, so other engineers' queues are never touched), synthetic
/// faulted messages shaped like MassTransit's, the operations services, and busctl as a process.
/// </summary>
internal sealed class ErrorQueueTestKit : IAsyncDisposable
{
    private static readonly Lazy<Task> Migrated = new(MigrateAsync);
    private readonly ServiceProvider _services;
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly List<string> _queues = [];

    private ErrorQueueTestKit(ServiceProvider services, IConnection connection, IChannel channel)
    {
        _services = services;
        _connection = connection;
        _channel = channel;
    }

    public string Prefix { get; } = $"ops-test-{Guid.NewGuid():N}"[..21];
    public RabbitMqOptions Rabbit => _services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <param name="configure">Registrations before the operations module's (e.g. a saga lookup).</param>
    public static async Task<ErrorQueueTestKit> CreateAsync(Action<IServiceCollection>? configure = null)
    {
        var services = BuildServices(configure);
        await Migrated.Value;
        var o = services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
        var factory = new ConnectionFactory { HostName = o.Host, Port = o.Port, VirtualHost = o.VirtualHost, UserName = o.Username, Password = o.Password, ClientProvidedName = "ops-test" };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        return new ErrorQueueTestKit(services, connection, channel);
    }

    private static ServiceProvider BuildServices(Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().Build(); // the defaults are the local stack
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = "Test", ApplicationName = "ops-test" });
        services.AddLogging();
        services.AddBusPlatform(configuration);
        configure?.Invoke(services);
        services.AddBusOperations(configuration);
        return services.BuildServiceProvider();
    }

    private static async Task MigrateAsync()
    {
        await using var services = BuildServices();
        await services.GetServices<Bus.Platform.Database.IDatabaseModule>().OfType<OperationsDatabaseModule>().Single().MigrateAsync(CancellationToken.None);
    }

    /// <summary>A durable queue named <c>{Prefix}{suffix}</c>, deleted when the test ends.</summary>
    public async Task<string> QueueAsync(string suffix, IDictionary<string, object?>? arguments = null)
    {
        var name = Prefix + suffix;
        await _channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments);
        _queues.Add(name);
        return name;
    }

    /// <summary>Names MassTransit will declare itself (queue and its _error), deleted when the test ends.</summary>
    public void Owns(params string[] queues) => _queues.AddRange(queues);

    /// <summary>A message as MassTransit leaves it in an error queue: envelope body, MessageId, fault and host headers.</summary>
    public async Task<Guid> PublishFaultAsync(string errorQueue, string inputQueue,
        string messageType = "urn:message:Bus.Contracts.Diagnostics:Ping", string? exceptionType = "System.InvalidOperationException",
        DateTimeOffset? failedAt = null, IDictionary<string, object?>? extraHeaders = null, Guid? correlationId = null, int bodyPadding = 0,
        object? message = null)
    {
        var id = Guid.NewGuid();
        var headers = new Dictionary<string, object?> { ["Content-Type"] = "application/vnd.masstransit+json" };
        if (exceptionType is not null)
        {
            headers[FaultHeaders.Reason] = "fault";
            headers[FaultHeaders.ExceptionType] = exceptionType;
            headers[FaultHeaders.Message] = "poisoned";
            headers[FaultHeaders.StackTrace] = "   at Somewhere.Consume()";
            headers[FaultHeaders.Timestamp] = (failedAt ?? DateTimeOffset.UtcNow).ToString("O");
            headers[FaultHeaders.ConsumerType] = "Tests.PoisonConsumer";
            headers[FaultHeaders.MessageType] = messageType;
            headers[FaultHeaders.InputAddress] = $"rabbitmq://{Rabbit.Host}:{Rabbit.Port}/{Rabbit.VirtualHost}/{inputQueue}";
            headers[FaultHeaders.RetryCount] = 0;
            headers["MT-Host-MachineName"] = "test-host";
        }
        foreach (var (k, v) in extraHeaders ?? new Dictionary<string, object?>()) headers[k] = v;
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId = id, correlationId = correlationId ?? Guid.NewGuid(), messageType = new[] { messageType }, message = message ?? (bodyPadding > 0 ? (object)new { pingId = Guid.NewGuid(), padding = new string('x', bodyPadding) } : new { pingId = Guid.NewGuid() }),
        });
        var properties = new BasicProperties
        {
            MessageId = id.ToString(), ContentType = "application/vnd.masstransit+json", DeliveryMode = DeliveryModes.Persistent, Headers = headers,
        };
        await _channel.BasicPublishAsync("", errorQueue, mandatory: true, properties, body);
        return id;
    }

    /// <summary>Ready messages; 0 for a queue not declared yet (MassTransit creates _error queues on the first fault).</summary>
    public async Task<uint> CountAsync(string queue)
    {
        await using var broker = await ErrorQueueBroker.ConnectAsync(Rabbit, CancellationToken.None);
        return await broker.ReadyCountAsync(queue, CancellationToken.None) ?? 0;
    }

    /// <summary>Waits (without asserting on time) until the queue holds <paramref name="expected"/> ready messages.</summary>
    public async Task WaitForCountAsync(string queue, uint expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await CountAsync(queue) != expected)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{queue} never held {expected} messages (has {await CountAsync(queue)})");
            await Task.Delay(100);
        }
    }

    /// <summary>Reads the queue without consuming it (a scan, released again).</summary>
    public async Task<IReadOnlyList<ErrorMessage>> PeekAsync(string queue)
    {
        await using var broker = await ErrorQueueBroker.ConnectAsync(Rabbit, CancellationToken.None);
        await using var scan = await broker.ScanAsync(queue, int.MaxValue, null, CancellationToken.None);
        return scan.Messages.ToList();
    }

    /// <summary>Consumes everything in the queue, in order.</summary>
    public async Task<List<BasicGetResult>> DrainAsync(string queue)
    {
        var all = new List<BasicGetResult>();
        while (await _channel.BasicGetAsync(queue, autoAck: true) is { } got) all.Add(got);
        return all;
    }

    public static Guid IdOf(BasicGetResult got) => Guid.Parse(got.BasicProperties.MessageId!);

    public async Task<List<(string MessageId, string Action, string Outcome, string Actor, string? Target)>> AuditAsync(IEnumerable<Guid> messageIds)
    {
        await using var command = Get<NpgsqlDataSource>().CreateCommand(
            "SELECT message_id, action, outcome, actor, target FROM bus.error_audit WHERE message_id = ANY($1) ORDER BY id");
        command.Parameters.Add(new() { Value = messageIds.Select(i => i.ToString()).ToArray() });
        var rows = new List<(string, string, string, string, string?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        return rows;
    }

    /// <summary>
    /// busctl from its own build output (same configuration as this test assembly), not the copy
    /// in the test folder: that copy runs with the test project's dependency set, which lacks
    /// assemblies busctl needs (System.Threading.RateLimiting for RabbitMQ.Client). BUSCTL overrides.
    /// </summary>
    private static readonly Lazy<string> BusctlPath = new(() =>
    {
        if (Environment.GetEnvironmentVariable("BUSCTL") is { Length: > 0 } overridden) return overridden;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent!.Name; // bin/<configuration>/net10.0
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bus.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("cannot find Bus.sln above " + AppContext.BaseDirectory);
        return Path.Combine(dir.FullName, "src", "Bus.Cli", "bin", configuration, "net10.0", "busctl");
    });

    public static ProcessStartInfo Busctl(params string[] args)
    {
        var start = new ProcessStartInfo(BusctlPath.Value)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_ENVIRONMENT"] = "Test";
        return start;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunBusctlAsync(params string[] args)
    {
        using var process = Process.Start(Busctl(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues)
        {
            await using var channel = await _connection.CreateChannelAsync();
            await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
            await channel.ExchangeDeleteAsync(queue, ifUnused: false);
        }
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        await _services.DisposeAsync();
    }
}
