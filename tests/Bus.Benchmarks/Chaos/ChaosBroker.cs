using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bus.Platform.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Bus.Benchmarks.Chaos;

/// <summary>
/// The chaos node's virtual host for one run, made as docs/operations.md §15 says for its queue type: for quorum, default
/// queue type quorum and the <c>bus-delivery-limit</c> policy (20), as the tests' BUS_TEST_QUEUE_TYPE=quorum path does.
/// </summary>
public sealed class ChaosBroker : IDisposable
{
    private readonly HttpClient _http;
    private readonly RabbitMqOptions _options;

    private ChaosBroker(HttpClient http, RabbitMqOptions options, string queueType)
    {
        _http = http;
        _options = options;
        QueueType = queueType;
    }

    public string VirtualHost => _options.VirtualHost;
    public string QueueType { get; }
    public RabbitMqOptions Options => _options;

    /// <summary>Environment variables that point a Bus process at this node and vhost.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["Bus__RabbitMq__Port"] = $"{_options.Port}", ["Bus__RabbitMq__ManagementPort"] = $"{_options.ManagementPort}",
        ["Bus__RabbitMq__VirtualHost"] = _options.VirtualHost, ["Bus__RabbitMq__QueueType"] = QueueType,
    };

    public static async Task<ChaosBroker> CreateAsync(string queueType)
    {
        var options = new RabbitMqOptions { Port = ChaosStack.RabbitPort, ManagementPort = ChaosStack.ManagementPort, VirtualHost = $"chaos-{queueType}" };
        var http = new HttpClient { BaseAddress = options.ManagementUri, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{options.Username}:{options.Password}")));
        var broker = new ChaosBroker(http, options, queueType);
        var vhost = Uri.EscapeDataString(options.VirtualHost);
        await broker.PutAsync($"api/vhosts/{vhost}", queueType == QueueTypes.Quorum ? """{"defaultqueuetype":"quorum"}""" : "{}");
        await broker.PutAsync($"api/permissions/{vhost}/{options.Username}", """{"configure":".*","write":".*","read":".*"}""");
        if (queueType == QueueTypes.Quorum)
            await broker.PutAsync($"api/policies/{vhost}/bus-delivery-limit", """{"pattern":".*","definition":{"delivery-limit":20},"apply-to":"queues"}""");
        return broker;
    }

    private async Task PutAsync(string path, string json)
    {
        using var body = new StringContent(json, Encoding.UTF8, "application/json");
        (await _http.PutAsync(path, body)).EnsureSuccessStatusCode();
    }

    /// <summary>Every queue of the vhost by name and type, from the management API.</summary>
    public async Task<List<string>> QueuesAsync() => (await QueueTypesAsync()).Keys.ToList();

    public async Task<Dictionary<string, string>> QueueTypesAsync()
    {
        using var response = await _http.GetAsync($"api/queues/{Uri.EscapeDataString(VirtualHost)}?columns=name,type");
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!, q => q.GetProperty("type").GetString() ?? "");
    }

    /// <summary>Ready messages of a queue, asked of the broker itself (a passive declare: the management figures lag).</summary>
    public async Task<uint> MessageCountAsync(string queue)
    {
        var factory = new ConnectionFactory
        {
            HostName = _options.Host, Port = _options.Port, VirtualHost = VirtualHost, UserName = _options.Username, Password = _options.Password,
            ClientProvidedName = "chaos-queue-count",
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try { return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount; }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404) { return 0; }
    }

    public void Dispose() => _http.Dispose();
}
