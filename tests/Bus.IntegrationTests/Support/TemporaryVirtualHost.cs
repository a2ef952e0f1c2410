using System.Net.Http.Headers;
using System.Text;
using Bus.Platform.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Bus.IntegrationTests.Support;

/// <summary>
/// A RabbitMQ virtual host of the test's own (created through the management API, deleted after),
/// so hosts started by other tests running at the same time cannot consume its messages.
/// </summary>
public sealed class TemporaryVirtualHost : IAsyncDisposable
{
    private static readonly RabbitMqOptions Defaults = new();
    private static readonly System.Text.Json.JsonSerializerOptions WebJson = new(System.Text.Json.JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    private TemporaryVirtualHost(HttpClient http, string name)
    {
        _http = http;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Environment variables that point a Bus process at this vhost.</summary>
    public IDictionary<string, string> Environment => new Dictionary<string, string> { ["Bus__RabbitMq__VirtualHost"] = Name };

    public static async Task<TemporaryVirtualHost> CreateAsync()
    {
        var http = new HttpClient { BaseAddress = Defaults.ManagementUri, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{Defaults.Username}:{Defaults.Password}")));
        var name = $"test-{Guid.NewGuid():N}"[..20];
        (await http.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        using var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        (await http.PutAsync($"api/permissions/{name}/{Defaults.Username}", permissions)).EnsureSuccessStatusCode();
        return new TemporaryVirtualHost(http, name);
    }

    /// <summary>
    /// Ready messages in a queue of this vhost, 0 if it doesn't exist. Asked of the broker itself
    /// (a passive declare): the management API's figures lag by its statistics interval.
    /// </summary>
    public async Task<uint> MessageCountAsync(string queue)
    {
        var factory = new ConnectionFactory
        {
            HostName = Defaults.Host, Port = Defaults.Port, VirtualHost = Name,
            UserName = Defaults.Username, Password = Defaults.Password, ClientProvidedName = "test-queue-count",
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try { return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount; }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404) { return 0; }
    }

    /// <summary>Every queue of this vhost with its message count (ready and unacknowledged), from the management API (figures lag by its statistics interval).</summary>
    public async Task<Dictionary<string, long>> QueuesAsync()
    {
        using var response = await _http.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}?columns=name,messages");
        response.EnsureSuccessStatusCode();
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!,
            q => q.TryGetProperty("messages", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.Number ? m.GetInt64() : 0);
    }

    /// <summary>Puts a MassTransit JSON envelope straight into a queue of this vhost, as a producer with a fresh MessageId would.</summary>
    public async Task<Guid> SendEnvelopeAsync(string queue, string messageUrn, object message)
    {
        var factory = new ConnectionFactory
        {
            HostName = Defaults.Host, Port = Defaults.Port, VirtualHost = Name,
            UserName = Defaults.Username, Password = Defaults.Password, ClientProvidedName = "test-send",
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var id = Guid.NewGuid();
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { messageId = id, messageType = new[] { messageUrn }, message }, WebJson);
        var properties = new BasicProperties { MessageId = id.ToString(), ContentType = "application/vnd.masstransit+json", DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, body);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        await _http.DeleteAsync($"api/vhosts/{Name}");
        _http.Dispose();
    }
}
