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

    /// <summary>
    /// <c>BUS_TEST_QUEUE_TYPE=quorum</c> runs the tests on quorum queues: every vhost is made as docs/operations.md §15
    /// says (default queue type quorum, a delivery-limit policy) and its hosts get Bus:RabbitMq:QueueType=quorum.
    /// </summary>
    public const string QueueTypeVariable = "BUS_TEST_QUEUE_TYPE";

    private TemporaryVirtualHost(HttpClient http, string name, string? queueType)
    {
        _http = http;
        Name = name;
        QueueType = queueType;
    }

    public string Name { get; }
    /// <summary>The vhost's default queue type when one was set (quorum), else null.</summary>
    public string? QueueType { get; }

    /// <summary>Environment variables that point a Bus process at this vhost (and its queue type).</summary>
    public IDictionary<string, string> Environment => QueueType is null
        ? new Dictionary<string, string> { ["Bus__RabbitMq__VirtualHost"] = Name }
        : new Dictionary<string, string> { ["Bus__RabbitMq__VirtualHost"] = Name, ["Bus__RabbitMq__QueueType"] = QueueType };

    /// <param name="defaultQueueType">The vhost's default queue type (<c>quorum</c>: what Bus:RabbitMq:QueueType=quorum needs), or the broker's.</param>
    public static async Task<TemporaryVirtualHost> CreateAsync(string? defaultQueueType = null)
    {
        defaultQueueType ??= System.Environment.GetEnvironmentVariable(QueueTypeVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        var http = new HttpClient { BaseAddress = Defaults.ManagementUri, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{Defaults.Username}:{Defaults.Password}")));
        var name = $"test-{Guid.NewGuid():N}"[..20];
        using var vhostBody = new StringContent(defaultQueueType is null ? "{}" : $$"""{"defaultqueuetype":"{{defaultQueueType}}"}""", Encoding.UTF8, "application/json");
        (await http.PutAsync($"api/vhosts/{name}", vhostBody)).EnsureSuccessStatusCode();
        using var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        (await http.PutAsync($"api/permissions/{name}/{Defaults.Username}", permissions)).EnsureSuccessStatusCode();
        var vhost = new TemporaryVirtualHost(http, name, defaultQueueType);
        if (defaultQueueType == "quorum") await vhost.SetQueuePolicyAsync("bus-delivery-limit", ".*", """{"delivery-limit":20}""");
        return vhost;
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

    /// <summary>Sets a policy on this vhost's queues (what an operator does with rabbitmqctl set_policy).</summary>
    public async Task SetQueuePolicyAsync(string name, string pattern, string definitionJson)
    {
        using var body = new StringContent($$"""{"pattern":"{{pattern}}","definition":{{definitionJson}},"apply-to":"queues"}""", Encoding.UTF8, "application/json");
        (await _http.PutAsync($"api/policies/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(name)}", body)).EnsureSuccessStatusCode();
    }

    /// <summary>Drops every ready message of a queue of this vhost (what losing them in the broker looks like).</summary>
    public async Task PurgeAsync(string queue)
    {
        using var response = await _http.DeleteAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}/contents");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Every queue of this vhost with its type (classic, quorum) and the definition of the policy in effect (an empty
    /// object when none), from the management API (figures lag by its statistics interval).
    /// </summary>
    public async Task<Dictionary<string, (string Type, System.Text.Json.JsonElement Policy)>> QueueDeclarationsAsync()
    {
        using var response = await _http.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}?columns=name,type,effective_policy_definition");
        response.EnsureSuccessStatusCode();
        using var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!,
            q => (q.GetProperty("type").GetString() ?? "",
                q.TryGetProperty("effective_policy_definition", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.Object
                    ? p.Clone() : System.Text.Json.JsonDocument.Parse("{}").RootElement.Clone()));
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
