using Bus.Persistence;
using Bus.Platform;
using Bus.Platform.Messaging;
using Bus.Platform.Options;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bus.IntegrationTests.Persistence.Support;

/// <summary>
/// A Bus process as the host composes it (platform, persistence, MassTransit on the local RabbitMQ),
/// with only the consumers and sagas a scenario needs, on queues named for that scenario's run.
/// </summary>
public static class TestHost
{
    /// <param name="virtualHost">The RabbitMQ virtual host to connect to; the shared "bus" when null.</param>
    /// <param name="settings">Configuration keys a scenario sets on top of the defaults above.</param>
    public static async Task<IHost> StartAsync(Action<IBusRegistrationConfigurator> configure, bool deliverOutbox = true, bool scheduler = false,
        string? virtualHost = null, IDictionary<string, string?>? settings = null)
    {
        await TestDatabase.EnsureReadyAsync();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("BUS_TEST_LOG"), out var level) ? level : LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:Persistence:DeliverOutbox"] = deliverOutbox ? "true" : "false",
            ["Bus:Persistence:OutboxPollInterval"] = "00:00:00.200",
            ["Bus:Persistence:SchedulerPollInterval"] = "00:00:00.200",
            ["Bus:Persistence:RelaySendTimeout"] = "00:00:03",
        });
        if (virtualHost is not null)
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Bus:RabbitMq:VirtualHost"] = virtualHost });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddBusPlatform(builder.Configuration);
        builder.Services.AddBusPersistence(builder.Configuration);
        if (scheduler) builder.Services.AddBusScheduler();
        builder.Services.AddBusMessaging(configure, (context, cfg) => cfg.UseBusPersistence(context));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>
    /// Creates a sink's queue and binding before anything is sent to it. Other scenarios' hosts share this
    /// database and vhost and deliver any pending outbox group or due scheduled message, as every host in
    /// production does; one that did so before the sink's queue existed would send into an exchange with
    /// no queue bound, and the message would be dropped.
    /// </summary>
    public static async Task DeclareSinkAsync(string sink) =>
        await (await StartAsync(x => x.AddTestConsumer<RecordConsumer, RecordConsumerDefinition>(sink))).StopQuietlyAsync();

    public static string UniqueName(string prefix) => $"test-{prefix}-{Guid.NewGuid():N}";

    public static async Task SendAsync<T>(this IHost host, string queue, T message, Guid? messageId = null) where T : class
    {
        var endpoint = await host.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{queue}"));
        await endpoint.Send(message, context => { if (messageId is { } id) context.MessageId = id; });
    }

    public static async Task StopQuietlyAsync(this IHost host)
    {
        await host.StopAsync();
        host.Dispose();
    }

    /// <summary>Removes a scenario's queues (and their _error/_skipped) from the shared broker.</summary>
    public static async Task DeleteQueuesAsync(params string[] queues)
    {
        var rabbit = new RabbitMqOptions();
        using var http = new HttpClient { BaseAddress = rabbit.ManagementUri };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{rabbit.Username}:{rabbit.Password}")));
        foreach (var name in queues.SelectMany(q => new[] { q, q + "_error", q + "_skipped" }))
            await http.DeleteAsync($"api/queues/{Uri.EscapeDataString(rabbit.VirtualHost)}/{Uri.EscapeDataString(name)}");
    }
}
