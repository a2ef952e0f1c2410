using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using Bus.Platform.Options;
using Microsoft.Extensions.Options;

namespace Bus.Host.Telemetry;

/// <summary>
/// Depth and consumers of the virtual host's Bus queues from the RabbitMQ management API (AMQP cannot
/// list queues). Only durable, non-exclusive, non-auto-delete queues count: the saga, step and error queues
/// the deployment declares, not the temporary reply queue each bus instance makes (whose names would make
/// the label set grow with every restart). The figures lag by the broker's statistics interval (5 s).
/// </summary>
internal sealed class BrokerQueues(IOptions<RabbitMqOptions> options) : IDisposable
{
    /// <summary>Bound on the series one vhost adds, whatever is declared in it.</summary>
    public const int MaxQueues = 500;

    private readonly HttpClient _http = Create(options.Value);

    private static HttpClient Create(RabbitMqOptions o)
    {
        var http = new HttpClient { BaseAddress = o.ManagementUri, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.Username}:{o.Password}")));
        return http;
    }

    public async Task<IReadOnlyList<QueueCount>> ReadAsync(CancellationToken cancellationToken)
    {
        var path = $"api/queues/{Uri.EscapeDataString(options.Value.VirtualHost)}?columns=name,messages,consumers,durable,auto_delete,exclusive";
        using var response = await _http.GetAsync(path, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"RabbitMQ management API at {options.Value.ManagementUri} answered {(int)response.StatusCode} {response.ReasonPhrase} for /{path}");
        var queues = await response.Content.ReadFromJsonAsync<List<ManagedQueueFigures>>(cancellationToken) ?? [];
        return Select(queues);
    }

    internal static IReadOnlyList<QueueCount> Select(IEnumerable<ManagedQueueFigures> queues) =>
        queues.Where(q => q.Durable && !q.AutoDelete && !q.Exclusive && !string.IsNullOrEmpty(q.Name))
            .OrderBy(q => q.Name, StringComparer.Ordinal)
            .Take(MaxQueues)
            .Select(q => new QueueCount(q.Name, q.Messages ?? 0, q.Consumers ?? 0))
            .ToList();

    public void Dispose() => _http.Dispose();
}

internal sealed record QueueCount(string Name, long Messages, long Consumers);

internal sealed record ManagedQueueFigures(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("messages")] long? Messages,
    [property: JsonPropertyName("consumers")] long? Consumers,
    [property: JsonPropertyName("durable")] bool Durable,
    [property: JsonPropertyName("auto_delete")] bool AutoDelete,
    [property: JsonPropertyName("exclusive")] bool Exclusive);
