using System.Text.Json;
using Bus.Operations.ErrorQueues;

namespace Bus.WebConsole.Operations;

/// <summary>
/// The ids a faulted message names. The envelope's correlation id is what busctl's saga lookup uses, but a
/// workflow's step commands carry their saga's id as a property instead (ingest's StoreFiles(IngestId)),
/// and their envelope's correlationId is not the saga's (seen on CompensateIngest). So the console
/// also reads the message's own GUID properties; only an id that bus.saga_status knows is shown as a saga.
/// </summary>
public static class NamedIds
{
    /// <summary>Bodies larger than this are not parsed for ids (the list page reads hundreds of messages).</summary>
    public const int MaxBodyChars = 64 * 1024;
    public const int MaxIds = 4;

    /// <summary>The correlation id (named "correlationId"), then the message's top-level GUID properties, at most <see cref="MaxIds"/>.</summary>
    public static IReadOnlyList<(string Name, Guid Id)> Of(ErrorMessageView message)
    {
        var ids = new List<(string Name, Guid Id)>();
        if (message.CorrelationId is { } correlation) ids.Add(("correlationId", correlation));
        if (message.Body.Length > MaxBodyChars || !message.Body.StartsWith('{')) return ids;
        try
        {
            using var document = JsonDocument.Parse(message.Body);
            if (document.RootElement.TryGetProperty("message", out var body) && body.ValueKind == JsonValueKind.Object)
                foreach (var property in body.EnumerateObject())
                {
                    if (ids.Count >= MaxIds) break;
                    if (property.Value.ValueKind == JsonValueKind.String && Guid.TryParse(property.Value.GetString(), out var id) && ids.All(i => i.Id != id))
                        ids.Add((property.Name, id));
                }
        }
        catch (JsonException)
        {
            // Not MassTransit's envelope: only the correlation id, if any.
        }
        return ids;
    }
}
