using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using Bus.Platform.Messaging;
using Bus.Platform.Options;

namespace Bus.Operations.ErrorQueues;

/// <summary>
/// Which error queues exist: AMQP cannot list queues, so the names come from the RabbitMQ
/// management HTTP API (<c>GET /api/queues/{vhost}</c>). Counts are read over AMQP afterwards,
/// because the management figures lag by up to the statistics interval (5 s by default).
/// </summary>
public sealed class ErrorQueueCatalog(RabbitMqOptions options, HttpMessageHandler? handler = null)
{
    public static bool IsErrorQueue(string name) =>
        name.EndsWith("_error", StringComparison.Ordinal) || name.EndsWith("_skipped", StringComparison.Ordinal);

    public async Task<IReadOnlyList<ManagedQueue>> ListAsync(string? nameContains, CancellationToken cancellationToken)
    {
        using var http = handler is null ? new HttpClient(RabbitMqTls.ManagementHandler(options)) : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = options.ManagementUri;
        http.Timeout = TimeSpan.FromSeconds(15);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        var path = $"api/queues/{Uri.EscapeDataString(options.VirtualHost)}?columns=name,type,messages";
        using var response = await http.GetAsync(path, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"RabbitMQ management API at {options.ManagementUri} answered {(int)response.StatusCode} {response.ReasonPhrase} for /{path}");
        var queues = await response.Content.ReadFromJsonAsync<List<ManagedQueue>>(cancellationToken) ?? [];
        return queues
            .Where(q => IsErrorQueue(q.Name) && (nameContains is null || q.Name.Contains(nameContains, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(q => q.Name, StringComparer.Ordinal)
            .ToList();
    }
}

public sealed record ManagedQueue(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string? Type,
    // Already asked for by ListAsync's columns; the web console's dashboard shows it.
    [property: JsonPropertyName("messages")] long? Messages = null);
